package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command tree as the daemon runs it for a {@code run} request, with a query service that records. */
class DaemonAllowListTest {
  @TempDir Path root;
  private final List<QueryRequest> queries = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int runInDaemon(Path cwd, String... argv) {
    Cli.Context context = new Cli.Context(cwd, Map.of(), Terminal.PLAIN, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Optional.of(request -> {
          queries.add(request);
          return new QueryResult(request.query(), SearchMode.FTS, 1, "daemon", List.of());
        }));
    return Cli.run(List.of(argv), context);
  }

  @Test
  void query_runs() throws Exception {
    TestRepo.create(root);
    assertThat(runInDaemon(root, "query", "--fts", "retry")).isEqualTo(Cli.NOT_FOUND);
    assertThat(queries).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"init", "config --daemon-ttl 99", "status", "index", "watch", "watch-stop", "clear-cache",
      "ping", "daemon stop", "daemon status", "completion", "--help", "--version"})
  void everythingElse_isRefusedBeforeItRuns(String command) throws Exception {
    TestRepo.create(root);
    Path sub = Files.createDirectories(root.resolve("sub"));
    String config = Files.readString(root.resolve(".code-indexer/config.json"));

    int exit = runInDaemon(sub, command.split(" "));

    assertThat(exit).isEqualTo(Cli.ERROR);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    String name = command.startsWith("-") ? "" : " " + command.replace(" --daemon-ttl 99", "");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("cidx: `cidx" + name + "` cannot run inside the daemon; run it in your shell\n");
    assertThat(sub.resolve(".code-indexer")).doesNotExist();
    assertThat(Files.readString(root.resolve(".code-indexer/config.json"))).isEqualTo(config);
  }

  @Test
  void atFile_isSearchedLiterally_inTheDaemon() throws Exception {
    TestRepo.create(root);
    Path args = Files.writeString(root.resolve("args.txt"), "secret words\n");
    runInDaemon(root, "query", "--fts", "@" + args);
    assertThat(queries).extracting(QueryRequest::query).containsExactly("@" + args);
  }
}
