package dev.cidx.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A line-aligned piece of a file, the unit that is embedded and searched. Lines are 1-based and
 * inclusive. {@link #contentHash()} identifies the text wherever it appears, so identical text in two
 * places (or a renamed file) shares one embedding.
 */
public record Chunk(String path, String language, int startLine, int endLine, String text) {

  public Chunk {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(language, "language");
    Objects.requireNonNull(text, "text");
    if (startLine < 1 || endLine < startLine) {
      throw new IllegalArgumentException("lines (" + startLine + "-" + endLine + ") must be 1-based and ordered");
    }
  }

  /** The first 64 bits of the SHA-256 of the text: collisions are negligible at repository scale. */
  public long contentHash() {
    return hashOf(text);
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
