package dev.cidx.index;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file selected for indexing. {@code path} is relative to the repository root with forward slashes;
 * {@code language} comes from {@link Languages#of(String)}.
 */
public record SourceFile(Path absolutePath, String path, long size, long modifiedMillis, String language) {
  public SourceFile {
    Objects.requireNonNull(absolutePath, "absolutePath");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(language, "language");
  }
}
