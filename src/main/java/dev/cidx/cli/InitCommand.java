package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.EmbeddingSettings;
import dev.cidx.config.PrivateFiles;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.Embedders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cidx init}: creates {@code .code-indexer/config.json} with every setting at its default. */
@Command(name = "init", description = "Set up cidx in a repository (writes .code-indexer/config.json).")
final class InitCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Repository root (default: --path or the current directory).")
  Path dir;

  @Option(names = "--force", description = "Overwrite an existing configuration with the defaults and these options.")
  boolean force;

  @Option(names = "--embedding-model", paramLabel = "NAME",
      description = "The local model, bge-small-en-v1.5 (default) or all-minilm-l6-v2; with --embedding-provider, "
          + "the provider's model (e.g. text-embedding-3-small, nomic-embed-text, voyage-code-3).")
  String model;

  @Option(names = "--embedding-provider", paramLabel = "NAME",
      description = "local (default, offline), openai (any OpenAI-compatible server), ollama or voyage.")
  String provider;

  @Option(names = "--embedding-base-url", paramLabel = "URL", description = "The provider's API base URL.")
  String baseUrl;

  @Option(names = "--embedding-dimensions", paramLabel = "N", description = "Length of the provider's vectors.")
  Integer dimensions;

  @Option(names = "--embedding-api-key-env", paramLabel = "VAR",
      description = "Environment variable holding the API key (default OPENAI_API_KEY / VOYAGE_API_KEY; "
          + "empty for none). The key itself is never written.")
  String apiKeyEnv;

  @Option(names = "--max-file-size", paramLabel = "BYTES", description = "Skip files larger than this (default 1048576).")
  Long maxFileSize;

  @Override
  public Integer call() throws IOException {
    Path target = dir == null ? root.startDir() : root.context().cwd().resolve(dir).normalize();
    if (!Files.isDirectory(target)) {
      throw new UserError("no such directory: " + target);
    }
    RepoPaths repo = new RepoPaths(target);
    if (Files.exists(repo.configFile()) && !force) {
      root.context().out().println("already initialized: " + repo.configFile() + " (use --force to overwrite)");
      return Cli.FOUND;
    }
    CidxConfig config = CidxConfig.defaults();
    boolean remote = provider != null && !provider.trim().equalsIgnoreCase(EmbeddingSettings.LOCAL);
    if (model != null && !remote) {
      config = config.withEmbeddingModel(EmbeddingModel.byName(model).modelName());
    }
    if (provider != null || baseUrl != null || dimensions != null || apiKeyEnv != null) {
      // The record checks every value and names the field: "embedding.dimensions (0) must be positive".
      config = config.withEmbedding(new EmbeddingSettings(provider, baseUrl, remote ? model : null, dimensions,
          apiKeyEnv, null, null, null));
    }
    if (maxFileSize != null) {
      if (maxFileSize <= 0) {
        throw new UserError("--max-file-size (" + maxFileSize + ") must be positive");
      }
      config = config.withMaxFileSize(maxFileSize);
    }
    warnAboutTrackedFiles(repo);
    PrivateFiles.directory(repo.dataDir());
    // The directory ignores itself, so git status stays clean without touching the user's .gitignore.
    PrivateFiles.writeAtomically(repo.dataDir().resolve(".gitignore"), "*\n");
    config.save(repo.configFile());
    root.context().out().println("initialized " + repo.configFile() + " (" + Embedders.identity(config).describe()
        + "); next: cidx index");
    return Cli.FOUND;
  }

  /**
   * A repository that commits files under {@code .code-indexer/} (a lock that is a link, a config) is
   * telling cidx what its state is; one line says that cidx does not believe it. Nothing when git is
   * missing or this is not a work tree.
   */
  private void warnAboutTrackedFiles(RepoPaths repo) {
    List<String> tracked = trackedFiles(repo);
    if (!tracked.isEmpty()) {
      root.context().err().println("cidx: warning: this repository tracks " + tracked.size() + " file"
          + (tracked.size() == 1 ? "" : "s") + " under " + RepoPaths.DATA_DIR + "/ (" + tracked.get(0)
          + (tracked.size() > 1 ? ", ..." : "") + "); they came from the repository and will not be trusted");
    }
  }

  private static List<String> trackedFiles(RepoPaths repo) {
    try {
      Process git = new ProcessBuilder("git", "--literal-pathspecs", "-c", "core.quotePath=false",
          "ls-files", "-z", "--cached", "--", RepoPaths.DATA_DIR)
          .directory(repo.root().toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      byte[] out;
      try (InputStream in = git.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!git.waitFor(10, TimeUnit.SECONDS) || git.exitValue() != 0) {
        git.destroyForcibly();
        return List.of();
      }
      return Arrays.stream(new String(out, StandardCharsets.UTF_8).split("\0")).filter(f -> !f.isEmpty()).toList();
    } catch (IOException e) {
      return List.of(); // no git: nothing can be tracked
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }
}
