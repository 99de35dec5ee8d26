package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellableRequestsTest {
  private final CancellableRequests requests = new CancellableRequests();

  @Test
  void toolCalls_carryTheirIdInMeta_otherLinesPassUnchanged() throws IOException {
    String input = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"reindex\"}}\n"
        + "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/list\"}\n"
        + "not json at all\n";
    String[] lines = read(requests.filter(stream(input))).split("\n");
    assertThat(lines).hasSize(3);
    JsonNode call = ToolResults.MAPPER.readTree(lines[0]);
    assertThat(call.path("params").path("_meta").path(CancellableRequests.REQUEST_ID).asText()).isEqualTo("7");
    assertThat(call.path("params").path("name").asText()).isEqualTo("reindex");
    assertThat(lines[1]).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/list\"}");
    assertThat(lines[2]).isEqualTo("not json at all");
  }

  @Test
  void aCancellation_runsTheRegisteredAction_andIsNotPassedOn() throws IOException {
    AtomicInteger cancelled = new AtomicInteger();
    requests.register("\"r-1\"", cancelled::incrementAndGet);
    String out = read(requests.filter(stream(
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"r-1\"}}\n")));
    assertThat(out).isEmpty();
    assertThat(cancelled).hasValue(1);
  }

  @Test
  void aCancellationBeforeRegistration_cancelsOnRegistration() {
    AtomicInteger cancelled = new AtomicInteger();
    requests.cancel("5");
    requests.register("5", cancelled::incrementAndGet);
    assertThat(cancelled).hasValue(1);
  }

  @Test
  void aFinishedRequest_isNotCancelledLater() {
    AtomicInteger cancelled = new AtomicInteger();
    requests.register("5", cancelled::incrementAndGet);
    requests.done("5");
    requests.cancel("5");
    assertThat(cancelled).hasValue(0);
  }

  @Test
  void theEndOfInput_isSignalled() throws IOException {
    read(requests.filter(stream("{}\n")));
    assertThat(requests.closed().getCount()).isZero();
  }

  private static InputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
