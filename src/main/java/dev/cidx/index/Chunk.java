package dev.cidx.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A line-aligned piece of a file, the unit that is embedded and searched. Lines are 1-based and
 * inclusive. {@code context} is a line saying where the text sits (path, enclosing type, the function a
 * piece was cut from): the model reads it before the text, while full-text search and snippets see only
 * the text. {@link #contentHash()} identifies what the model reads, so identical chunks in two places
 * share one embedding.
 */
public record Chunk(String path, String language, int startLine, int endLine, String text, String context) {

  public Chunk {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(language, "language");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(context, "context");
    if (startLine < 1 || endLine < startLine) {
      throw new IllegalArgumentException("lines (" + startLine + "-" + endLine + ") must be 1-based and ordered");
    }
  }

  /** A chunk without a context line. */
  public Chunk(String path, String language, int startLine, int endLine, String text) {
    this(path, language, startLine, endLine, text, "");
  }

  /** What the embedding model reads: the context line, then the text. */
  public String embeddingText() {
    return embeddingText(context, text);
  }

  static String embeddingText(String context, String text) {
    return context == null || context.isEmpty() ? text : context + "\n" + text;
  }

  /**
   * The first 64 bits of the SHA-256 of {@link #embeddingText()}: collisions are negligible at repository
   * scale.
   */
  public long contentHash() {
    return hashOf(embeddingText());
  }

  public static long hashOf(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is always available", e);
    }
  }
}
