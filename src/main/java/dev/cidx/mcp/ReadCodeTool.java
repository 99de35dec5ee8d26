package dev.cidx.mcp;

import dev.cidx.config.RepoPaths;
import dev.cidx.index.FileScanner;
import dev.cidx.index.IndexedFiles;
import dev.cidx.index.SourceFile;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code read_code}: lines of a file from the working tree, only of a file cidx would index, so an agent
 * cannot read its way out of the repository or into what the repository keeps out of the index. Refused,
 * each with its own line: a {@code ..} segment, an absolute path outside the root, a path whose real
 * location (symbolic links followed, at any depth) leaves the root, and a file {@link FileScanner} would
 * not index (ignored by git or {@code .gitignore}, in an excluded directory, of an unconfigured type,
 * binary, too large, or missing).
 */
final class ReadCodeTool {
  static final String NAME = "read_code";
  static final int MAX_LINES = 400;

  private final RepoPaths repo;
  private final FileScanner scanner;

  ReadCodeTool(McpSetup setup) {
    this.repo = setup.repo();
    this.scanner = new FileScanner(setup.repo(), setup.config());
  }

  static Tool definition() {
    return Tool.builder()
        .name(NAME)
        .title("Read code")
        .description("Read lines of a file of this repository from the working tree (at most " + MAX_LINES
            + " a call), with whether the index has this version of it (indexed, stale or not_indexed). Only "
            + "files cidx indexes: no paths outside the repository, no ignored files.")
        .inputSchema(RecordSchemas.input(ReadCodeArgs.class))
        .outputSchema(RecordSchemas.of(ReadCodeResult.class))
        .build();
  }

  CallToolResult call(CallToolRequest call) {
    try {
      ReadCodeArgs args = ToolResults.arguments(call, ReadCodeArgs.class);
      ReadCodeResult result = read(args);
      return ToolResults.success(result, text(result));
    } catch (IllegalArgumentException e) {
      return ToolResults.error(e.getMessage());
    } catch (IOException e) {
      return ToolResults.error("cannot read " + call.arguments().get("path") + ": " + e.getMessage());
    }
  }

  ReadCodeResult read(ReadCodeArgs args) throws IOException {
    if (args.path() == null) {
      throw new IllegalArgumentException("path is required");
    }
    String path = relativePath(args.path());
    Path file = repo.root().resolve(path);
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file in the repository: " + path);
    }
    if (!real.startsWith(repo.root())) {
      throw new IllegalArgumentException(path + " leads outside the repository (through a symbolic link)");
    }
    Optional<SourceFile> source = scanner.sourceFile(path);
    if (source.isEmpty()) {
      throw new IllegalArgumentException(path + " is not a file cidx indexes (ignored, excluded, binary or too large)");
    }
    List<String> lines = new String(Files.readAllBytes(real), StandardCharsets.UTF_8).lines().toList();
    int start = args.startLine() == null ? 1 : args.startLine();
    if (start < 1) {
      throw new IllegalArgumentException("start_line (" + start + ") must be at least 1");
    }
    if (start > Math.max(1, lines.size())) {
      throw new IllegalArgumentException("start_line (" + start + ") is past the end of " + path + " ("
          + lines.size() + " lines)");
    }
    int end = args.endLine() == null ? start + MAX_LINES - 1 : args.endLine();
    if (end < start) {
      throw new IllegalArgumentException("end_line (" + end + ") must not be before start_line (" + start + ")");
    }
    end = Math.min(Math.min(end, start + MAX_LINES - 1), lines.size());
    String text = lines.isEmpty() ? "" : String.join("\n", lines.subList(start - 1, end)) + "\n";
    OptionalLong indexed = IndexedFiles.modifiedMillis(repo, path);
    ReadCodeResult.State state = indexed.isEmpty() ? ReadCodeResult.State.NOT_INDEXED
        : indexed.getAsLong() == source.get().modifiedMillis() ? ReadCodeResult.State.INDEXED
        : ReadCodeResult.State.STALE;
    return new ReadCodeResult(path, source.get().language(), start, Math.max(end, start - 1), lines.size(), state,
        end < lines.size(), text);
  }

  /** {@code given} relative to the root with forward slashes, or the one line that refuses it. */
  private String relativePath(String given) {
    String slashed = given.replace('\\', '/');
    for (String segment : slashed.split("/")) {
      if (segment.equals("..")) {
        throw new IllegalArgumentException(given + ": paths with '..' are refused; give a path inside the repository");
      }
    }
    Path p;
    try {
      p = Path.of(slashed);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(given + " is not a valid path");
    }
    if (p.isAbsolute()) {
      Path normal = p.normalize();
      if (!normal.startsWith(repo.root())) {
        throw new IllegalArgumentException(given + " is outside the repository " + repo.root());
      }
      p = repo.root().relativize(normal);
    }
    String relative = p.normalize().toString().replace('\\', '/');
    if (relative.isEmpty()) {
      throw new IllegalArgumentException("path names the repository itself; give a file in it");
    }
    return relative;
  }

  private static String text(ReadCodeResult r) {
    StringBuilder out = new StringBuilder();
    out.append(r.path()).append(':').append(r.startLine()).append('-').append(r.endLine()).append(" of ")
        .append(r.totalLines()).append(" lines (").append(r.language()).append(", ").append(r.state().wireName())
        .append(r.truncated() ? "; more below: read from end_line + 1" : "").append(")\n");
    int line = r.startLine();
    for (String s : r.text().lines().toList()) {
      out.append(line++).append(": ").append(s).append('\n');
    }
    return out.toString();
  }
}
