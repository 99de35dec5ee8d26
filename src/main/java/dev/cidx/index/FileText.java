package dev.cidx.index;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns a file's bytes into the text that is chunked and searched, whatever encoding it was saved in.
 *
 * <p>A byte-order mark decides the encoding (UTF-8, UTF-16LE, UTF-16BE). Without one, a NUL byte in the
 * first {@value #SNIFF_BYTES} bytes marks the file as binary; otherwise the bytes are UTF-8 if they
 * decode strictly as UTF-8, else windows-1252 (a superset of ISO-8859-1's printable range, and what
 * "Latin-1" files from Windows editors really are). Decoding never fails: bytes a charset lacks become
 * U+FFFD. Line ends are normalised to {@code \n} so line numbers agree with every editor.
 */
final class FileText {
  /** How much of a file decides whether it is binary, as git's own heuristic does. */
  static final int SNIFF_BYTES = 8192;

  private static final Charset SINGLE_BYTE = Charset.isSupported("windows-1252")
      ? Charset.forName("windows-1252")
      : StandardCharsets.ISO_8859_1;

  private FileText() {}

  /** The file's text, or empty if it is binary. Throws only when the file cannot be read. */
  static Optional<String> read(Path file) throws IOException {
    return decode(Files.readAllBytes(file));
  }

  /** Whether the file looks binary, reading no more than its first {@value #SNIFF_BYTES} bytes. */
  static boolean isBinary(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(SNIFF_BYTES);
      return isBinary(head, head.length);
    }
  }

  static Optional<String> decode(byte[] bytes) {
    String text;
    if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
      text = new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
    } else if (startsWith(bytes, 0xFF, 0xFE)) {
      text = new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
    } else if (startsWith(bytes, 0xFE, 0xFF)) {
      text = new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE);
    } else if (isBinary(bytes, bytes.length)) {
      return Optional.empty();
    } else {
      text = decodeUtf8OrSingleByte(bytes);
    }
    return Optional.of(normaliseLineEnds(text));
  }

  /** UTF-16 files are full of NULs, so a UTF-16 byte-order mark means text. */
  static boolean isBinary(byte[] head, int length) {
    if (startsWith(head, 0xFF, 0xFE) || startsWith(head, 0xFE, 0xFF)) {
      return false;
    }
    int end = Math.min(length, SNIFF_BYTES);
    for (int i = 0; i < end; i++) {
      if (head[i] == 0) {
        return true;
      }
    }
    return false;
  }

  private static String decodeUtf8OrSingleByte(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException notUtf8) {
      return new String(bytes, SINGLE_BYTE);
    }
  }

  static String normaliseLineEnds(String text) {
    if (text.indexOf('\r') < 0) {
      return text;
    }
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
