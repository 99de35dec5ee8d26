package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cidx.client.DaemonControl;
import dev.cidx.config.RepoPaths;
import dev.cidx.testing.CidxProcess;
import dev.cidx.testing.CidxProcess.Result;
import dev.cidx.testing.FakeEmbeddingServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote embedding provider end to end: a loopback server speaking OpenAI's API, the real
 * {@code bin/cidx} indexing and querying through it, standalone and through a real daemon, which must get
 * the API key from the variable config.json names (and nothing else). In order, on one repository.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddingProviderIT {
  private static final String KEY_VARIABLE = "PROVIDER_IT_API_KEY";
  private static final String KEY = "sk-it-secret-7731";
  private static final int FILES = 12;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  private FakeEmbeddingServer server;
  private Path dir;
  private RepoPaths repo;

  @BeforeAll
  void startTheServerAndInit() throws IOException {
    server = FakeEmbeddingServer.start("openai", 64, KEY);
    dir = tmp.resolve("repo");
    Files.createDirectories(dir);
    String[] topics = {"invoice tax rounding", "password hashing salt", "thumbnail image resize", "retry backoff jitter",
        "websocket heartbeat ping", "csv export columns", "oauth token refresh", "cache eviction ttl",
        "pdf report footer", "geo distance haversine", "audit log rotation", "email template rendering"};
    for (int i = 0; i < FILES; i++) {
      String[] words = topics[i].split(" ");
      Files.writeString(dir.resolve("Topic" + i + ".java"), "// " + topics[i] + "\nclass Topic" + i + " {\n  void "
          + words[0] + "() { /* " + topics[i] + " */ }\n  void " + words[1] + "() { /* " + words[2] + " */ }\n}\n");
    }
    Result init = cidx(standalone(), "init", "--embedding-provider", "openai", "--embedding-base-url", server.baseUrl(),
        "--embedding-model", "fake-embed", "--embedding-dimensions", "64", "--embedding-api-key-env", KEY_VARIABLE);
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.out()).contains("(openai model fake-embed (64 dimensions))");
    repo = new RepoPaths(dir);
    // Four texts per request, one request at a time: the failure test below counts requests.
    ObjectNode config = (ObjectNode) JSON.readTree(repo.configFile().toFile());
    ((ObjectNode) config.get("embedding")).put("batch_size", 4).put("max_concurrency", 1).put("timeout_seconds", 5);
    Files.writeString(repo.configFile(), JSON.writeValueAsString(config));
    assertThat(Files.readString(repo.configFile())).doesNotContain(KEY);
  }

  @AfterAll
  void stop() {
    if (repo != null) {
      DaemonCommands.stop(repo);
    }
    if (server != null) {
      server.close();
    }
  }

  private static Map<String, String> standalone() {
    Map<String, String> env = new HashMap<>();
    env.put(KEY_VARIABLE, KEY);
    env.put("CIDX_NO_DAEMON", "1");
    return env;
  }

  private static Map<String, String> viaDaemon() {
    return Map.of(KEY_VARIABLE, KEY);
  }

  private Result cidx(Map<String, String> env, String... args) {
    return CidxProcess.run(dir == null ? tmp : dir, env, args);
  }

  /** The error line, after the progress lines a run prints on stderr before it. */
  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }

  private String topPath(Result query) {
    return query.json().get("results").get(0).get("path").asText();
  }

  @Test
  @Order(1)
  void aProviderThatKeepsFailing_stopsTheRunWithOneLine_andTheNextRunResumes() {
    server.failEverythingAfter(1, 401);
    Result failed;
    try {
      failed = cidx(standalone(), "index");
    } finally {
      server.recover();
    }
    assertThat(failed.exit()).isEqualTo(2);
    assertThat(lastLine(failed.err())).isEqualTo("cidx: embedding provider openai at " + server.baseUrl()
        + "/embeddings: 401 Unauthorized (failing on purpose): check " + KEY_VARIABLE);
    int embeddedBefore = server.textsEmbedded();
    assertThat(embeddedBefore).isEqualTo(4); // one request's worth, kept in the embedding cache

    Result resumed = cidx(standalone(), "index", "--json");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.json().get("chunks_total").asInt()).isEqualTo(FILES);
    assertThat(resumed.json().get("chunks_reused").asInt()).isEqualTo(4);
    assertThat(server.textsEmbedded() - embeddedBefore).isEqualTo(FILES - 4);
  }

  @Test
  @Order(2)
  void standalone_queriesEmbedThroughTheProvider_andStatusNamesItWithoutTheKey() {
    int requests = server.requests().size();
    Result query = cidx(standalone(), "query", "password hashing salt", "--json", "--limit", "3");
    assertThat(query.exit()).as(query.err()).isZero();
    assertThat(topPath(query)).isEqualTo("Topic1.java");
    assertThat(server.requests()).hasSize(requests + 1);
    assertThat(server.requests().get(requests).authorization()).isEqualTo("Bearer " + KEY);

    Result status = cidx(standalone(), "status", "--json");
    JsonNode index = status.json().get("index");
    assertThat(index.get("provider").asText()).isEqualTo("openai");
    assertThat(index.get("model").asText()).isEqualTo("fake-embed");
    assertThat(index.get("dimension").asInt()).isEqualTo(64);
    assertThat(status.out() + status.err()).doesNotContain(KEY);
  }

  @Test
  @Order(3)
  void throughTheDaemon_indexAndQueryUseTheProvider_withTheKeyConfigJsonNames() {
    int embeddedBefore = server.textsEmbedded();
    Result index = cidx(viaDaemon(), "index", "--clear", "--json");
    assertThat(index.exit()).as(index.err()).isZero();
    assertThat(index.json().get("via").asText()).isEqualTo("daemon");
    assertThat(server.textsEmbedded() - embeddedBefore).isEqualTo(FILES);
    assertThat(DaemonControl.statusJson(repo)).isPresent();

    Result query = cidx(viaDaemon(), "query", "geo distance haversine", "--json", "--limit", "3");
    assertThat(query.exit()).as(query.err()).isZero();
    assertThat(topPath(query)).isEqualTo("Topic9.java");
    assertThat(server.requests().get(server.requests().size() - 1).authorization()).isEqualTo("Bearer " + KEY);
  }

  @Test
  @Order(4)
  void aDifferentModelInConfigJson_isAClearErrorNamingClear() throws IOException {
    DaemonCommands.stop(repo);
    String original = Files.readString(repo.configFile());
    Files.writeString(repo.configFile(), original.replace("fake-embed", "other-embed"));
    try {
      Result query = cidx(standalone(), "query", "retry backoff", "--semantic");
      assertThat(query.exit()).isEqualTo(2);
      assertThat(query.err().strip()).isEqualTo("cidx: the index was built with openai model fake-embed (64 dimensions) "
          + "but config.json asks for openai model other-embed (64 dimensions): run `cidx index --clear` to rebuild it");
    } finally {
      Files.writeString(repo.configFile(), original);
    }
  }
}
