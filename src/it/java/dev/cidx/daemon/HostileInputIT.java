package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.JsonLines;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import dev.cidx.testing.LineSocket;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input meant to hang or exhaust the daemon, sent to a real daemon process over its real socket: a
 * regex that backtracks exponentially, huge queries, hundreds of connections trickling bytes, a line
 * without end, a client that never reads its answer, more connections than the cap. The repository is
 * tiny and indexed once with the real model; its config gives queries a budget of 2 s.
 *
 * <p>Time bounds here are generous (a minute for a 2 s budget) so that a loaded machine does not fail
 * them; what they catch is a daemon that would answer in hours or never.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  /** A 40-letter identifier: {@code ([a-z]+)*Handler} tries 2^40 ways to split it in a backtracking engine. */
  private static final String LONG_IDENTIFIER = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn";

  @TempDir
  static Path tmp;

  private Path dir;
  private RepoPaths repo;

  @BeforeAll
  void indexATinyRepository() throws IOException {
    dir = tmp.resolve("repo");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("Handler.java"), """
        class Handler {
          int %s = 1;
          void requestHandler() { retryConnection(); }
          void retryConnection() {}
        }
        """.formatted(LONG_IDENTIFIER));
    assertThat(cidx("init").exit()).isZero();
    repo = new RepoPaths(dir);
    // Raw JSON, so that this test also runs against a cidx without these keys (to show it failing there).
    TestRepo.writeRaw(repo, "{\"daemon\": {\"query_timeout_seconds\": 2}}");
    Result index = CidxProcess.run(dir, Map.of("CIDX_NO_DAEMON", "1"), "index");
    assertThat(index.exit()).as(index.err()).isZero();
    Result warm = cidx("query", "--fts", "retry", "--json");
    assertThat(warm.exit()).as(warm.err()).isZero();
  }

  @AfterAll
  void stopDaemons() {
    cidx("daemon", "stop");
  }

  private Result cidx(String... args) {
    return CidxProcess.run(dir, args);
  }

  private static String request(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}\n";
  }

  /** A query's answer over a raw socket: a result, or an error that says what happened. */
  private JsonNode rawQuery(String params) throws IOException {
    try (LineSocket s = new LineSocket(repo.socketPath())) {
      s.send(request(1, "query", params));
      return s.read(PATIENCE);
    }
  }

  /**
   * An answer, from a search within the budget (2 s, plus what the last hit costs after the last check),
   * or the timeout error. The cache is loaded already, so the daemon's {@code took_ms} is search time.
   */
  private static void assertAnsweredOrTimedOut(JsonNode answer) {
    assertThat(answer).isNotNull();
    if (answer.has("error")) {
      assertThat(answer.path("error").path("message").asText()).isEqualTo(
          "the query took longer than 2 s and was cancelled; narrow it or raise daemon.query_timeout_seconds");
      assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32017);
    } else {
      assertThat(answer.path("result").path("results").isArray()).isTrue();
      assertThat(answer.path("result").path("took_ms").asDouble()).isLessThan(4_000);
    }
  }

  @Test
  @Order(1)
  void backtrackingRegexes_answerWithinTheBudget_andPingAnswersMeanwhile() throws IOException {
    // Java's regex memoizes group loops, so the classic pattern costs it little; twelve stars in a row cost
    // it hours (about 40^12 / 12! ways to split the identifier). Both must be answered at once.
    assertRegexAnswersWithPingMeanwhile("([a-z]+)*Handler");
    assertRegexAnswersWithPingMeanwhile("[a-z]*".repeat(12) + "Handler");
  }

  private void assertRegexAnswersWithPingMeanwhile(String regex) throws IOException {
    CidxProcess.Running query = CidxProcess.start(dir, Map.of(), "query", "--fts", "--regex", regex, "--json");
    Result done;
    try {
      Result ping = cidx("ping");
      assertThat(ping.exit()).as(ping.err()).isZero();
      await().atMost(PATIENCE).until(() -> !query.isAlive());
      done = query.await();
    } finally {
      if (query.isAlive()) {
        query.interrupt();
      }
    }
    assertThat(done.err()).isEmpty();
    assertThat(done.exit()).isZero();
    assertThat(done.json().path("via").asText()).isEqualTo("daemon");
    assertThat(done.json().path("results").get(0).path("matched_terms").toString()).contains("requestHandler");
  }

  @Test
  @Order(2)
  void hugeQueries_answerOrFailClearly_withinTheBudget() throws IOException {
    StringBuilder words = new StringBuilder();
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      words.append("word").append(random.nextInt(1_000_000)).append(' ');
    }
    assertAnsweredOrTimedOut(rawQuery("{\"query\":\"" + words + "\",\"mode\":\"hybrid\",\"edit_distance\":2}"));

    String nearlyAMegabyte = "retry ".repeat(150_000);
    assertThat(nearlyAMegabyte.length()).isLessThan(JsonLines.MAX_REQUEST_BYTES - 100); // under the request limit
    assertAnsweredOrTimedOut(rawQuery("{\"query\":\"" + nearlyAMegabyte + "\",\"mode\":\"hybrid\"}"));
    Result ping = cidx("ping");
    assertThat(ping.exit()).as(ping.err()).isZero();
  }

  @Test
  @Order(3)
  void twoHundredTricklingConnections_doNotKeepAQueryOut() throws IOException {
    List<LineSocket> tricklers = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        LineSocket s = new LineSocket(repo.socketPath());
        tricklers.add(s);
        trickle(s);
      }
      for (LineSocket s : tricklers) {
        trickle(s);
      }
      Result query = cidx("query", "--fts", "retry", "--json");
      assertThat(query.err()).isEmpty();
      assertThat(query.exit()).isZero();
      assertThat(query.json().path("via").asText()).isEqualTo("daemon");
    } finally {
      for (LineSocket s : tricklers) {
        s.close();
      }
    }
  }

  /** One more byte of a request that never ends; a connection the daemon closed already is left alone. */
  private static void trickle(LineSocket s) {
    try {
      s.send("{");
    } catch (IOException e) {
      // closed by the daemon, as it may
    }
  }

  @Test
  @Order(4)
  void aLineWithoutEnd_isRefusedBeforeTheDaemonReadsMegabytes() throws IOException {
    long sent = 0;
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(repo.socketPath()));
      ByteBuffer chunk = ByteBuffer.wrap("x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII));
      while (sent < 100L * 1024 * 1024) {
        chunk.rewind();
        sent += channel.write(chunk);
      }
    } catch (IOException e) {
      // the daemon closed the connection: what should happen
    }
    assertThat(sent).as("bytes written before the daemon closed the connection").isLessThan(10L * 1024 * 1024);
    Result ping = cidx("ping");
    assertThat(ping.exit()).as(ping.err()).isZero();
  }

  @Test
  @Order(5)
  void aClientThatNeverReads_isDropped_andOthersAreServed() throws IOException {
    try (LineSocket stuck = new LineSocket(repo.socketPath())) {
      StringBuilder pipelined = new StringBuilder();
      for (int i = 0; i < 2_000; i++) {
        pipelined.append(request(i, "status", "null")); // a few megabytes of answers it will never read
      }
      stuck.send(pipelined.toString());

      Result query = cidx("query", "--fts", "retry", "--json");
      assertThat(query.err()).isEmpty();
      assertThat(query.json().path("via").asText()).isEqualTo("daemon");
      // Dropped once its answer has waited longer than the budget: only the status call's own connection is left.
      await().atMost(PATIENCE).until(() -> DaemonControl.statusJson(repo).orElseThrow()
          .path("open_connections").asInt() == 1);
    }
  }

  @Test
  @Order(6)
  void pastTheConnectionCap_allBusy_aClientIsToldWhy() throws IOException {
    Path other = tmp.resolve("capped");
    Files.createDirectories(other);
    assertThat(CidxProcess.run(other, "init").exit()).isZero();
    RepoPaths capped = new RepoPaths(other);
    TestRepo.writeRaw(capped, "{\"daemon\": {\"max_connections\": 2, \"query_timeout_seconds\": 60}}");
    Result start = CidxProcess.run(other, "daemon", "start");
    assertThat(start.exit()).as(start.err()).isZero();
    try (LineSocket busy1 = new LineSocket(capped.socketPath());
        LineSocket busy2 = new LineSocket(capped.socketPath())) {
      StringBuilder pipelined = new StringBuilder();
      for (int i = 0; i < 2_000; i++) {
        pipelined.append(request(i, "status", "null"));
      }
      busy1.send(pipelined.toString());
      busy2.send(pipelined.toString());
      busy1.read(PATIENCE); // both are being answered; they stop reading here, so each keeps a request in flight
      busy2.read(PATIENCE);
      await().pollDelay(Duration.ofMillis(500)).atMost(PATIENCE).untilAsserted(() -> {
        try (LineSocket third = new LineSocket(capped.socketPath())) {
          JsonNode refused = third.read(Duration.ofSeconds(5));
          assertThat(refused.path("error").path("message").asText()).isEqualTo("the daemon is serving its maximum"
              + " of 2 connections, all busy; retry later or raise daemon.max_connections");
          assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32003);
        }
      });
    } finally {
      CidxProcess.run(other, "daemon", "stop");
    }
  }
}
