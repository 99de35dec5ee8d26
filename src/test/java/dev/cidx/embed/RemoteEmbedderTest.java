package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cidx.config.EmbeddingSettings;
import dev.cidx.testing.FakeEmbeddingServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RemoteEmbedderTest {
  private static final String KEY = "sk-test-123";
  private static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", KEY, "VOYAGE_API_KEY", KEY);

  private FakeEmbeddingServer server;
  private RemoteEmbedder embedder;

  @AfterEach
  void close() {
    if (embedder != null) {
      embedder.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private RemoteEmbedder open(String provider, int dimension, Integer batch, Integer concurrency, Double timeout) throws Exception {
    server = FakeEmbeddingServer.start(provider, dimension, provider.equals("ollama") ? null : KEY);
    EmbeddingSettings settings = new EmbeddingSettings(provider, server.baseUrl(), "test-model", dimension, null,
        batch, concurrency, timeout);
    embedder = RemoteEmbedder.open(settings, EmbeddingModel.BGE_SMALL_EN_V15, ENV, Duration.ofMillis(1));
    return embedder;
  }

  private String url() {
    return server.baseUrl() + (server.baseUrl().endsWith("/v1") ? "/embeddings" : "/api/embed");
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void openai_sendsModelInputsAndKey_inBatches_andReturnsUnitVectorsInInputOrder() throws Exception {
    open("openai", 32, 2, 3, null);
    List<String> texts = List.of("alpha beta", "gamma", "delta epsilon", "zeta", "eta theta");

    List<float[]> vectors = embedder.embedDocuments(texts);

    assertThat(server.requests()).hasSize(3);
    FakeEmbeddingServer.Request first = server.requests().get(0);
    assertThat(first.path()).isEqualTo("/v1/embeddings");
    assertThat(first.authorization()).isEqualTo("Bearer " + KEY);
    assertThat(first.body().get("model").asText()).isEqualTo("test-model");
    assertThat(first.body().get("dimensions").asInt()).isEqualTo(32);
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.inputs().size()).isBetween(1, 2));
    assertThat(vectors).hasSize(5).allSatisfy(v -> assertThat(norm(v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5)));
    for (int i = 0; i < texts.size(); i++) {
      assertThat(vectors.get(i)).containsExactly(embedder.embedDocuments(List.of(texts.get(i))).get(0));
    }
    assertThat(embedder.identity()).isEqualTo(new EmbeddingIdentity("openai", "test-model", 32));
    assertThat(embedder.documentsPerCall()).isEqualTo(6);
  }

  @Test
  void voyage_saysDocumentWhenIndexing_andQueryWhenSearching() throws Exception {
    open("voyage", 16, null, null, null);
    embedder.embedDocuments(List.of("a chunk"));
    embedder.embedQuery("a question");
    assertThat(server.requests()).extracting(r -> r.body().get("input_type").asText()).containsExactly("document", "query");
    assertThat(server.requests().get(0).body().get("output_dimension").asInt()).isEqualTo(16);
  }

  @Test
  void ollama_postsToApiEmbed_withoutAKey() throws Exception {
    open("ollama", 16, null, null, null);
    assertThat(embedder.embedDocuments(List.of("one", "two"))).hasSize(2);
    assertThat(server.requests()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo("/api/embed");
      assertThat(r.authorization()).isNull();
      assertThat(r.inputs()).containsExactly("one", "two");
    });
  }

  @Test
  void aRepeatedQuery_isEmbeddedOnce() throws Exception {
    open("openai", 16, null, null, null);
    float[] first = embedder.embedQuery("where is the config parsed");
    float[] second = embedder.embedQuery("where is the config parsed");
    assertThat(second).containsExactly(first);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void tooManyRequests_isRetried_afterTheRetryAfterTheServerAsks() throws Exception {
    open("openai", 16, null, null, null);
    server.failNext(1, 429, "1");
    long started = System.nanoTime();
    assertThat(embedder.embedDocuments(List.of("text"))).hasSize(1);
    // A lower bound only: the first backoff is 1 ms, so without Retry-After the retry would come at once.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void serverErrors_areRetried_thenStopWithOneLine() throws Exception {
    open("openai", 16, null, null, null);
    server.failNext(2, 500, null);
    assertThat(embedder.embedDocuments(List.of("text"))).hasSize(1);
    assertThat(server.requests()).hasSize(3);

    server.failNext(RemoteEmbedder.MAX_ATTEMPTS, 503, null);
    assertThatThrownBy(() -> embedder.embedDocuments(List.of("text")))
        .isInstanceOf(EmbeddingException.class)
        .hasMessage("embedding provider openai at " + url() + ": 503 Service Unavailable after 5 attempts: "
            + "the server keeps failing; try again later");
  }

  @Test
  void aRequestHangingPastTheTimeout_isRetried_andEndsWithOneLine() throws Exception {
    open("openai", 16, null, null, 0.3);
    server.hangNext(1);
    assertThat(embedder.embedDocuments(List.of("text"))).hasSize(1);

    server.hangNext(RemoteEmbedder.MAX_ATTEMPTS);
    assertThatThrownBy(() -> embedder.embedDocuments(List.of("text")))
        .isInstanceOf(EmbeddingException.class)
        .hasMessage("embedding provider openai at " + url() + ": no answer within 0.3 s after 5 attempts: "
            + "check the server, or raise embedding.timeout_seconds");
  }

  @Test
  void anAnswerNotInTheApisFormat_stopsAtOnce() throws Exception {
    open("openai", 16, null, null, null);
    server.malformedNext();
    assertThatThrownBy(() -> embedder.embedDocuments(List.of("text")))
        .isInstanceOf(EmbeddingException.class)
        .hasMessage("embedding provider openai at " + url() + ": 200 OK but the answer is not the openai API's "
            + "format (not JSON): check embedding.provider and embedding.base_url");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void vectorsOfAnotherDimension_areRefusedNamingTheSetting() throws Exception {
    open("ollama", 16, null, null, null);
    server.wrongDimensionNext();
    assertThatThrownBy(() -> embedder.embedDocuments(List.of("text")))
        .isInstanceOf(EmbeddingException.class)
        .hasMessage("embedding provider ollama at " + url() + ": the model answers with 8 dimensions but "
            + "embedding.dimensions is 16: set it to 8 and run `cidx index --clear`");
  }

  @Test
  void aMissingKey_isOneLineNamingTheVariable() throws Exception {
    server = FakeEmbeddingServer.start("voyage", 16, KEY);
    EmbeddingSettings settings = new EmbeddingSettings("voyage", server.baseUrl(), null, null, null, null, null, null);
    assertThatThrownBy(() -> RemoteEmbedder.open(settings, EmbeddingModel.BGE_SMALL_EN_V15, Map.of()))
        .isInstanceOf(EmbeddingException.class)
        .hasMessage("embedding provider voyage: the environment variable VOYAGE_API_KEY holding the API key is not "
            + "set: export it (a running daemon needs `cidx daemon restart` to see it)");
  }

  @Test
  void aWrongKey_isRefusedAtOnce_namingTheVariable_neverTheKey() throws Exception {
    server = FakeEmbeddingServer.start("openai", 16, KEY);
    EmbeddingSettings settings = new EmbeddingSettings("openai", server.baseUrl(), "m", 16, "MY_API_KEY", null, null, null);
    embedder = RemoteEmbedder.open(settings, EmbeddingModel.BGE_SMALL_EN_V15, Map.of("MY_API_KEY", "sk-wrong-456"));
    assertThatThrownBy(() -> embedder.embedDocuments(List.of("text")))
        .isInstanceOf(EmbeddingException.class)
        .hasMessage("embedding provider openai at " + url() + ": 401 Unauthorized (Incorrect API key provided): "
            + "check MY_API_KEY")
        .message().doesNotContain("sk-wrong");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void requestsRunInParallel_upToMaxConcurrency_andCancellingAbandonsThem() throws Exception {
    open("openai", 16, 1, 3, null);
    server.hangNext(10);
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<List<float[]>> call = CompletableFuture.supplyAsync(
        () -> embedder.embedDocuments(List.of("a", "b", "c", "d", "e"), cancelled::get));

    await().until(() -> server.requests().size() == 3); // three in flight, none answered
    cancelled.set(true);

    assertThatThrownBy(call::join).hasCauseInstanceOf(CancellationException.class);
    assertThat(server.requests()).hasSize(3);
  }
}
