package dev.cidx.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.protocol.JsonLines.Decoder;
import dev.cidx.protocol.JsonLines.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(Frame f) {
    return ((Frame.Line) f).text();
  }

  @Test
  void decoder_splitsPipelinedLinesInOrder() {
    Decoder d = new Decoder(100);
    d.feed(bytes("{\"a\":1}\n{\"b\":2}\n{\"c\""));
    assertThat(text(d.next())).isEqualTo("{\"a\":1}");
    assertThat(text(d.next())).isEqualTo("{\"b\":2}");
    assertThat(d.next()).isNull();
    d.feed(bytes(":3}\n"));
    assertThat(text(d.next())).isEqualTo("{\"c\":3}");
    assertThat(d.next()).isNull();
  }

  @Test
  void decoder_reportsOversizedLineWithItsFullLength_thenGoesOn() {
    Decoder d = new Decoder(10);
    d.feed(bytes("0123456789")); // exactly the limit: still fine
    d.feed(bytes("\n"));
    assertThat(text(d.next())).isEqualTo("0123456789");
    d.feed(bytes("01234567890123"));
    assertThat(d.next()).isNull();
    d.feed(bytes("456\nok\n"));
    assertThat(d.next()).isEqualTo(new Frame.TooLarge(17));
    assertThat(text(d.next())).isEqualTo("ok");
  }

  @Test
  void decoder_reportsOversizedUnterminatedLineAtEndOfStream() {
    Decoder d = new Decoder(4);
    d.feed(bytes("abcdefg"));
    assertThat(d.next()).isNull();
    assertThat(d.atEndOfStream()).isEqualTo(new Frame.TooLarge(7));
  }

  @Test
  void decoder_dropsShortUnterminatedLineAtEndOfStream() {
    Decoder d = new Decoder(100);
    d.feed(bytes("{\"half"));
    assertThat(d.next()).isNull();
    assertThat(d.atEndOfStream()).isNull();
  }

  @Test
  void encode_writesOneLineEndingInNewline() {
    byte[] line = JsonLines.encode(JsonLines.notification(Methods.OUTPUT, Map.of("text", "a\nb")));
    String s = new String(line, StandardCharsets.UTF_8);
    assertThat(s).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"output\",\"params\":{\"text\":\"a\\nb\"}}\n");
  }

  @Test
  void tooLargeMessage_givesSizeAndLimit() {
    assertThat(JsonLines.tooLargeMessage(2_000_000, JsonLines.MAX_REQUEST_BYTES))
        .isEqualTo("request too large (2000000 bytes > 1048576)");
  }
}
