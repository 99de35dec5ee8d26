package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated script, sourced by a real bash, completes what a user would tab through. */
class CompletionCommandTest {
  @TempDir
  static Path tmp;

  private static Path script;

  @BeforeAll
  static void generate() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Cli.run(List.of("completion"), new Cli.Context(tmp, Map.of(), Terminal.PLAIN,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), Optional.empty()));
    assertThat(code).isZero();
    script = Files.writeString(tmp.resolve("cidx-completion.bash"), out.toString(StandardCharsets.UTF_8));
  }

  /** What bash offers after {@code words}, the last of which is being typed. */
  private static List<String> complete(String... words) throws Exception {
    // compopt works only inside a completion that bash itself started; here it is a no-op.
    String line = "source " + script + "\ncompopt() { :; }\nCOMP_WORDS=(" + quoted(words) + ")\nCOMP_CWORD=" + (words.length - 1)
        + "\nCOMP_LINE=\"${COMP_WORDS[*]}\"\nCOMP_POINT=${#COMP_LINE}\n_complete_cidx\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Process bash = new ProcessBuilder("bash", "-c", line).redirectErrorStream(true).start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(out).isZero();
    return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static String quoted(String... words) {
    StringBuilder b = new StringBuilder();
    for (String w : words) {
      b.append('\'').append(w).append("' ");
    }
    return b.toString();
  }

  @Test
  void subcommands_complete() throws Exception {
    assertThat(complete("cidx", "q")).containsExactly("query");
    assertThat(complete("cidx", "")).contains("init", "index", "query", "status", "watch", "daemon", "completion");
  }

  @Test
  void options_complete() throws Exception {
    assertThat(complete("cidx", "query", "--path-")).containsExactly("--path-filter");
    assertThat(complete("cidx", "query", "--")).contains("--fts", "--any", "--semantic", "--json", "--limit");
  }

  @Test
  void languageAndAccuracyValues_complete() throws Exception {
    assertThat(complete("cidx", "query", "--accuracy", "")).containsExactlyInAnyOrder("fast", "balanced", "high");
    assertThat(complete("cidx", "query", "--language", "ja")).containsExactlyInAnyOrder("java", "javascript");
    assertThat(complete("cidx", "query", "--language", "go")).containsExactly("go");
    assertThat(complete("cidx", "query", "--exclude-language", "py")).containsExactly("python");
    assertThat(complete("cidx", "mcp", "--print-config", "")).containsExactlyInAnyOrder("claude", "cursor", "vscode");
  }
}
