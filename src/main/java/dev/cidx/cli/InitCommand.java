package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.EmbeddingModel;
import java.io.IOException;
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
      description = "bge-small-en-v1.5 (default) or all-minilm-l6-v2.")
  String model;

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
    if (model != null) {
      config = config.withEmbeddingModel(EmbeddingModel.byName(model).modelName());
    }
    if (maxFileSize != null) {
      if (maxFileSize <= 0) {
        throw new UserError("--max-file-size (" + maxFileSize + ") must be positive");
      }
      config = config.withMaxFileSize(maxFileSize);
    }
    Files.createDirectories(repo.dataDir());
    // The directory ignores itself, so git status stays clean without touching the user's .gitignore.
    Files.writeString(repo.dataDir().resolve(".gitignore"), "*\n");
    config.save(repo.configFile());
    root.context().out().println("initialized " + repo.configFile() + " (model " + config.embeddingModel()
        + "); next: cidx index");
    return Cli.FOUND;
  }
}
