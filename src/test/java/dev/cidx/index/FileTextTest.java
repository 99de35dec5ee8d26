package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTextTest {
  @TempDir Path dir;

  @Test
  void readsUtf8() throws IOException {
    assertThat(FileText.read(write("a.txt", "naïve café ☕\n".getBytes(StandardCharsets.UTF_8))))
        .contains("naïve café ☕\n");
  }

  @Test
  void dropsUtf8ByteOrderMark() throws IOException {
    byte[] bytes = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "class A {}".getBytes(StandardCharsets.UTF_8));
    assertThat(FileText.read(write("A.java", bytes))).contains("class A {}");
  }

  @Test
  void readsUtf16LittleEndianWithByteOrderMark() throws IOException {
    byte[] bytes = concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, "héllo\r\nwörld".getBytes(StandardCharsets.UTF_16LE));
    assertThat(FileText.read(write("w.txt", bytes))).contains("héllo\nwörld");
  }

  @Test
  void readsUtf16BigEndianWithByteOrderMark() throws IOException {
    byte[] bytes = concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, "Grüße".getBytes(StandardCharsets.UTF_16BE));
    assertThat(FileText.read(write("b.txt", bytes))).contains("Grüße");
  }

  @Test
  void fallsBackToWindows1252ForInvalidUtf8() throws IOException {
    byte[] latin1 = "// Größe: 5 €\n".getBytes(Charset.forName("windows-1252"));
    assertThat(FileText.read(write("legacy.c", latin1))).contains("// Größe: 5 €\n");
  }

  @Test
  void neverFailsOnBytesNoCharsetDefines() throws IOException {
    // 0x81 and 0x8D are undefined in windows-1252, and the lone 0xC3 makes the file invalid UTF-8.
    byte[] odd = {'a', (byte) 0x81, (byte) 0x8D, (byte) 0xC3, 'b'};
    assertThat(FileText.read(write("odd.txt", odd))).hasValueSatisfying(text -> {
      assertThat(text).startsWith("a").endsWith("b").hasSize(5);
    });
  }

  @Test
  void treatsNulByteAsBinary() throws IOException {
    assertThat(FileText.read(write("x.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 1, 'a'}))).isEmpty();
    assertThat(FileText.isBinary(dir.resolve("x.class"))).isTrue();
  }

  @Test
  void doesNotTreatUtf16AsBinary() throws IOException {
    byte[] bytes = concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, "abc".getBytes(StandardCharsets.UTF_16LE));
    assertThat(FileText.isBinary(write("u.txt", bytes))).isFalse();
  }

  @Test
  void nulBeyondTheFirst8KibDoesNotMakeAFileBinary() throws IOException {
    byte[] bytes = new byte[FileText.SNIFF_BYTES + 10];
    Arrays.fill(bytes, (byte) 'a');
    bytes[FileText.SNIFF_BYTES + 5] = 0;
    assertThat(FileText.isBinary(write("late.txt", bytes))).isFalse();
  }

  @Test
  void normalisesCrLfAndCrToLf() throws IOException {
    assertThat(FileText.read(write("m.txt", "a\r\nb\rc\n".getBytes(StandardCharsets.US_ASCII)))).contains("a\nb\nc\n");
  }

  @Test
  void readsEmptyFileAsEmptyText() throws IOException {
    assertThat(FileText.read(write("empty.txt", new byte[0]))).contains("");
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
