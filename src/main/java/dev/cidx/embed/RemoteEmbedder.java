package dev.cidx.embed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.config.EmbeddingSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * An {@link Embedder} that calls a remote API ({@link ProviderApi}: OpenAI-compatible, Ollama, VoyageAI)
 * with the JDK's HttpClient.
 *
 * <p>Documents go out {@code batch_size} texts per request and up to {@code max_concurrency} requests at
 * a time. A request that times out ({@code timeout_seconds}), fails to connect, or is answered 429 or 5xx
 * is retried with exponential backoff and full jitter, waiting at least what {@code Retry-After} asks;
 * after {@link #MAX_ATTEMPTS} attempts, or at once on any other status or an answer not in the API's
 * format, the call throws an {@link EmbeddingException} whose one-line message names the provider, the
 * URL, the status and what to check. The index run stops there with what it embedded kept in the
 * embedding cache; the next run resumes.
 *
 * <p>The API key is read from the environment once, when the embedder opens, and only ever put into the
 * {@code Authorization} header: never logged, never in a message.
 *
 * <p>Chunk sizing uses the local model's tokenizer (see {@link Embedder#tokenCounter()}), loaded on first
 * use; nothing else here runs a local model.
 *
 * <p>Threads: thread-safe. Requests run on a pool of {@code max_concurrency} daemon threads named
 * {@code cidx-remote-embed-N}; the calling thread waits, polling {@code cancelled} every 100 ms, and on
 * cancellation abandons the requests in flight.
 */
public final class RemoteEmbedder implements Embedder {
  static final int MAX_ATTEMPTS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long POLL_MS = 100;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ProviderApi api;
  private final EmbeddingSettings settings;
  private final EmbeddingModel sizingModel;
  private final EmbeddingIdentity identity;
  private final URI uri;
  private final String apiKey; // null when the provider is called without one
  private final HttpClient http;
  private final ExecutorService requests;
  private final Duration firstBackoff;
  private final QueryVectorCache queryVectors = new QueryVectorCache(QueryVectorCache.DEFAULT_CAPACITY);
  private ModelTokenizer tokenizer; // guarded by this; loaded on first use
  private boolean closed; // guarded by this

  private RemoteEmbedder(ProviderApi api, EmbeddingSettings settings, EmbeddingModel sizingModel,
      Map<String, String> env, Duration firstBackoff) {
    this.api = api;
    this.settings = settings;
    this.sizingModel = sizingModel;
    this.identity = new EmbeddingIdentity(settings.provider(), settings.modelName(), settings.dimension());
    this.uri = URI.create(settings.endpoint() + api.path());
    this.firstBackoff = firstBackoff;
    String variable = settings.keyVariable();
    if (variable.isEmpty()) {
      this.apiKey = null;
    } else {
      String key = env.get(variable);
      if (key == null || key.isBlank()) {
        throw new EmbeddingException("embedding provider " + api.name() + ": the environment variable " + variable
            + " holding the API key is not set: export it (a running daemon needs `cidx daemon restart` to see it)");
      }
      this.apiKey = key.trim();
    }
    this.http = HttpClient.newBuilder().connectTimeout(timeout()).build();
    this.requests = Executors.newFixedThreadPool(settings.concurrency(), r -> {
      Thread t = new Thread(r, "cidx-remote-embed-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens the provider {@code settings} name; chunks are sized with {@code sizingModel}'s tokenizer.
   *
   * @throws EmbeddingException the API key's variable is not set in {@code env}
   */
  public static RemoteEmbedder open(EmbeddingSettings settings, EmbeddingModel sizingModel, Map<String, String> env) {
    return open(settings, sizingModel, env, Duration.ofMillis(500));
  }

  /** With another first backoff: tests retry in milliseconds. */
  static RemoteEmbedder open(EmbeddingSettings settings, EmbeddingModel sizingModel, Map<String, String> env,
      Duration firstBackoff) {
    ProviderApi api = switch (settings.provider()) {
      case "openai" -> new OpenAiApi();
      case "ollama" -> new OllamaApi();
      case "voyage" -> new VoyageApi();
      default -> throw new IllegalArgumentException("not a remote provider: " + settings.provider());
    };
    return new RemoteEmbedder(api, settings, sizingModel, env, firstBackoff);
  }

  private Duration timeout() {
    return Duration.ofMillis(Math.round(settings.timeout() * 1000));
  }

  @Override
  public EmbeddingModel model() {
    return sizingModel;
  }

  @Override
  public EmbeddingIdentity identity() {
    return identity;
  }

  @Override
  public int documentsPerCall() {
    return settings.batch() * settings.concurrency();
  }

  @Override
  public float[] embedQuery(String text) {
    return queryVectors.get(text, t -> embed(List.of(t), true, () -> false).get(0));
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    return embedDocuments(texts, () -> false);
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts, BooleanSupplier cancelled) {
    return embed(texts, false, cancelled);
  }

  /** Splits {@code texts} into requests, runs them in parallel, and returns the vectors in input order. */
  private List<float[]> embed(List<String> texts, boolean query, BooleanSupplier cancelled) {
    checkOpen();
    int batch = settings.batch();
    List<Future<List<float[]>>> parts = new ArrayList<>();
    try {
      for (int from = 0; from < texts.size(); from += batch) {
        List<String> part = List.copyOf(texts.subList(from, Math.min(texts.size(), from + batch)));
        parts.add(requests.submit(() -> request(part, query, cancelled)));
      }
      List<float[]> out = new ArrayList<>(texts.size());
      for (Future<List<float[]>> part : parts) {
        out.addAll(await(part, cancelled));
      }
      return out;
    } finally {
      parts.forEach(p -> p.cancel(true)); // after a failure, the rest are of no use
    }
  }

  private static <T> T await(Future<T> future, BooleanSupplier cancelled) {
    while (true) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("embedding cancelled");
      }
      try {
        return future.get(POLL_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // poll cancelled again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new EmbeddingException(e.getCause().toString(), e.getCause());
      }
    }
  }

  /** One request with its retries; runs on a pool thread. */
  private List<float[]> request(List<String> texts, boolean query, BooleanSupplier cancelled)
      throws InterruptedException {
    byte[] body;
    try {
      // An empty input is an error at OpenAI; a blank chunk embeds as one space.
      List<String> inputs = texts.stream().map(t -> t.isEmpty() ? " " : t).toList();
      body = JSON.writeValueAsBytes(api.request(identity.model(), settings.dimensions(), inputs, query));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .timeout(timeout())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null) {
      builder.header("Authorization", "Bearer " + apiKey);
    }
    HttpRequest request = builder.build();
    String lastProblem = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("embedding cancelled");
      }
      Duration retryAfter = Duration.ZERO;
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200) {
          return parse(response.body(), texts.size());
        }
        lastProblem = status + " " + reason(status);
        if (status != 429 && status < 500) {
          throw failure(lastProblem + detail(response.body()) + ": " + hint(status));
        }
        retryAfter = retryAfter(response);
      } catch (HttpTimeoutException e) {
        lastProblem = "no answer within " + settings.timeout() + " s";
      } catch (IOException e) {
        lastProblem = "cannot connect (" + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
      }
      if (attempt < MAX_ATTEMPTS) {
        sleep(backoff(attempt, retryAfter), cancelled);
      }
    }
    throw failure(lastProblem + " after " + MAX_ATTEMPTS + " attempts: " + (lastProblem.startsWith("429")
        ? "the provider keeps limiting the rate; lower embedding.max_concurrency or embedding.batch_size"
        : lastProblem.startsWith("no answer") ? "check the server, or raise embedding.timeout_seconds"
        : lastProblem.startsWith("cannot connect") ? "is the server running at embedding.base_url?"
        : "the server keeps failing; try again later"));
  }

  private List<float[]> parse(String body, int expected) {
    List<float[]> vectors;
    try {
      vectors = new ArrayList<>(api.vectors(JSON.readTree(body)));
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      String what = e instanceof JsonProcessingException ? "not JSON" : e.getMessage();
      throw failure("200 OK but the answer is not the " + api.name() + " API's format (" + what
          + "): check embedding.provider and embedding.base_url");
    }
    if (vectors.size() != expected) {
      throw failure("200 OK but " + vectors.size() + " vectors came back for " + expected + " texts");
    }
    for (int i = 0; i < vectors.size(); i++) {
      float[] v = vectors.get(i);
      if (v.length != identity.dimension()) {
        throw failure("the model answers with " + v.length + " dimensions but embedding.dimensions is "
            + identity.dimension() + ": set it to " + v.length + " and run `cidx index --clear`");
      }
      vectors.set(i, OnnxEmbedder.normalize(v));
    }
    return vectors;
  }

  private EmbeddingException failure(String problem) {
    return new EmbeddingException("embedding provider " + api.name() + " at " + uri + ": " + problem);
  }

  private String hint(int status) {
    return switch (status) {
      case 401, 403 -> settings.keyVariable().isEmpty()
          ? "the server wants an API key: name its variable in embedding.api_key_env"
          : "check " + settings.keyVariable();
      case 404 -> "check embedding.base_url and embedding.model";
      default -> "check embedding.model and embedding.dimensions";
    };
  }

  /** The provider's own error message, on one line and short: it often says exactly what is wrong. */
  private static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String text = body;
    try {
      JsonNode json = JSON.readTree(body);
      JsonNode message = json.path("error").isObject() ? json.path("error").path("message") : json.path("error");
      if (message.isMissingNode() || message.isNull()) {
        message = json.path("detail");
      }
      if (message.isTextual()) {
        text = message.asText();
      }
    } catch (JsonProcessingException e) {
      // not JSON: show the start of the text
    }
    text = text.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    return " (" + (text.length() > 160 ? text.substring(0, 160) + "..." : text) + ")";
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 413 -> "Payload Too Large";
      case 422 -> "Unprocessable Entity";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }

  /** {@code Retry-After} in seconds (the HTTP-date form is rare at these APIs and is ignored). */
  private static Duration retryAfter(HttpResponse<?> response) {
    Optional<String> value = response.headers().firstValue("Retry-After");
    if (value.isEmpty()) {
      return Duration.ZERO;
    }
    try {
      double seconds = Double.parseDouble(value.get().trim());
      return seconds > 0 ? Duration.ofMillis(Math.min(Math.round(seconds * 1000), 300_000)) : Duration.ZERO;
    } catch (NumberFormatException e) {
      return Duration.ZERO;
    }
  }

  /** Full jitter over an exponential ceiling (so parallel requests do not retry in step), never below Retry-After. */
  Duration backoff(int attempt, Duration retryAfter) {
    long ceiling = firstBackoff.toMillis() << Math.min(attempt - 1, 6);
    long jittered = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    return Duration.ofMillis(Math.max(jittered, retryAfter.toMillis()));
  }

  private static void sleep(Duration wait, BooleanSupplier cancelled) throws InterruptedException {
    long until = System.nanoTime() + wait.toNanos();
    for (long left = wait.toNanos(); left > 0; left = until - System.nanoTime()) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("embedding cancelled");
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(POLL_MS)));
    }
  }

  @Override
  public TokenCounter tokenCounter() {
    ModelTokenizer t;
    synchronized (this) {
      checkOpen();
      if (tokenizer == null) {
        NativeLibraries.prepare();
        tokenizer = ModelTokenizer.load(sizingModel);
      }
      t = tokenizer;
    }
    return t;
  }

  private synchronized void checkOpen() {
    if (closed) {
      throw new IllegalStateException("embedder is closed");
    }
  }

  @Override
  public void close() {
    ModelTokenizer t;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      t = tokenizer;
    }
    requests.shutdownNow();
    if (t != null) {
      t.close();
    }
  }
}
