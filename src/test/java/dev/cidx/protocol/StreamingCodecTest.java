package dev.cidx.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.protocol.Messages.HelloParams;
import dev.cidx.protocol.Messages.IndexParams;
import dev.cidx.protocol.Messages.OutputParams;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Messages.TerminalInfo;
import dev.cidx.protocol.StreamingCodec.Incoming;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamingCodecTest {
  private static JsonNode parse(byte[] line) throws Exception {
    assertThat(line[line.length - 1]).as("ends the line").isEqualTo((byte) '\n');
    return JsonLines.MAPPER.readTree(line);
  }

  @Test
  void runRequest_readsBackAsTheSameRecord_throughDatabind() throws Exception {
    RunParams params = new RunParams(List.of("query", "ünïcode \"quoted\"\n", "--fts"), "/repo/sub",
        new TerminalInfo(true, false, 132), Map.of("COLUMNS", "132", "LANG", "C.UTF-8"));
    JsonNode request = parse(StreamingCodec.request(7, Methods.RUN, params));
    assertThat(request.path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(request.path("id").asLong()).isEqualTo(7);
    assertThat(request.path("method").asText()).isEqualTo("run");
    assertThat(JsonLines.MAPPER.treeToValue(request.path("params"), RunParams.class)).isEqualTo(params);
    assertThat(params.clientVersion()).isEqualTo(Version.CIDX);
  }

  @Test
  void helloAndParameterlessRequests_readBackThroughDatabind() throws Exception {
    JsonNode hello = parse(StreamingCodec.request(1, Methods.HELLO, HelloParams.current()));
    assertThat(JsonLines.MAPPER.treeToValue(hello.path("params"), HelloParams.class)).isEqualTo(HelloParams.current());
    assertThat(new String(StreamingCodec.request(2, Methods.PING, StreamingCodec.NO_PARAMS), StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{}}\n");
  }

  /**
   * The client writes its params by hand, off databind (see {@link StreamingCodec}); with every field set,
   * each must write exactly what databind writes of the record, so the two spellings cannot drift apart.
   */
  @Test
  void everyHandWrittenParams_writesWhatDatabindWritesOfTheRecord() throws Exception {
    List<StreamingCodec.Params> all = List.of(HelloParams.current(),
        new RunParams(List.of("query", "x"), "/repo", new TerminalInfo(true, true, 80), Map.of("LANG", "C")),
        new IndexParams(true, true));
    for (StreamingCodec.Params params : all) {
      JsonNode written = parse(StreamingCodec.request(1, "m", params)).path("params");
      assertThat(written.toString()).as(params.getClass().getSimpleName())
          .isEqualTo(JsonLines.MAPPER.valueToTree(params).toString());
    }
  }

  @Test
  void outputNotification_writtenByTheDaemon_isReadAsANotificationWithItsText() throws Exception {
    byte[] line = JsonLines.encode(JsonLines.notification(Methods.OUTPUT, new OutputParams(3, "stderr", "é\n")));
    Incoming m = StreamingCodec.read(line);
    assertThat(m.isNotification()).isTrue();
    assertThat(m.method()).isEqualTo("output");
    assertThat(StreamingCodec.string(m.params(), "stream")).isEqualTo("stderr");
    assertThat(StreamingCodec.string(m.params(), "text")).isEqualTo("é\n");
  }

  @Test
  void resultAndError_areReadWithTheirId() throws Exception {
    Incoming result = StreamingCodec.read(bytes("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"exit_code\":1,"
        + "\"nested\":[1,2.5,true,null,\"x\",{\"k\":12345678901}]}}"));
    assertThat(result.isNotification()).isFalse();
    assertThat(result.answers(5)).isTrue();
    assertThat(result.answers(6)).isFalse();
    assertThat(StreamingCodec.integer(result.result(), "exit_code", 2)).isEqualTo(1);
    assertThat(JsonLines.tree(result.result()))
        .isEqualTo(JsonLines.MAPPER.readTree("{\"exit_code\":1,\"nested\":[1,2.5,true,null,\"x\",{\"k\":12345678901}]}"));

    Incoming error = StreamingCodec.read(JsonLines.encode(
        JsonLines.error(JsonLines.MAPPER.valueToTree(5), ErrorCode.VERSION_MISMATCH, "version mismatch")));
    assertThat(error.answers(5)).isTrue();
    assertThat(error.isError()).isTrue();
    assertThat(error.errorCode()).isEqualTo(-32004);
    assertThat(error.errorMessage()).isEqualTo("version mismatch");

    Incoming orphan = StreamingCodec.read(JsonLines.encode(JsonLines.error(null, ErrorCode.PARSE_ERROR, "bad")));
    assertThat(orphan.isNotification()).isFalse();
    assertThat(orphan.id()).isNull();
  }

  @Test
  void aLineThatIsNotAnObject_isRejected() {
    assertThatThrownBy(() -> StreamingCodec.read(bytes("[1]")))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageStartingWith("a message must be a JSON object");
    assertThatThrownBy(() -> StreamingCodec.read(bytes("{\"id\": ")))
        .isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void runParams_withoutVersions_areNotChecked_withOtherVersions_mismatch() {
    assertThat(new RunParams(List.of("x"), "/", null, null, null, null).clientMatchesCurrentVersion()).isTrue();
    assertThat(new RunParams(List.of("x"), "/", null, null).clientMatchesCurrentVersion()).isTrue();
    assertThat(new RunParams(List.of("x"), "/", null, null, "0.0.1", Version.PROTOCOL).clientMatchesCurrentVersion())
        .isFalse();
    assertThat(new RunParams(List.of("x"), "/", null, null, Version.CIDX, null).clientMatchesCurrentVersion()).isFalse();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
