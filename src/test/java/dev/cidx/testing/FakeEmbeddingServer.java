package dev.cidx.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on the loopback interface that speaks one embedding API (OpenAI's, Ollama's or
 * VoyageAI's request and response format), for tests and the pipeline-ceiling benchmark.
 *
 * <p>Vectors are a hashed bag of words: texts sharing words get close vectors, so a semantic query
 * through this server finds the chunk that uses its words. Tests script misbehaviour for the next
 * requests ({@link #failNext}, {@link #hangNext}, {@link #malformedNext}, {@link #wrongDimensionNext})
 * and read what arrived ({@link #requests()}).
 */
public final class FakeEmbeddingServer implements AutoCloseable {
  /** One request as the server saw it. */
  public record Request(String path, String authorization, JsonNode body) {
    public List<String> inputs() {
      List<String> out = new ArrayList<>();
      body.get("input").forEach(n -> out.add(n.asText()));
      return out;
    }
  }

  private record Misbehaviour(int status, String retryAfter, boolean hang, boolean malformed, boolean wrongDimension) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String provider;
  private final int dimension;
  private final String requiredKey; // null: any or none
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-embedding-server");
    t.setDaemon(true);
    return t;
  });
  private final Queue<Misbehaviour> script = new ConcurrentLinkedQueue<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger texts = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  private final boolean record;
  /** Requests still answered before every one fails with {@link #failStatus}; negative: no such limit. */
  private final AtomicInteger okLeft = new AtomicInteger(-1);
  private volatile int failStatus;

  private FakeEmbeddingServer(String provider, int dimension, String requiredKey, boolean record) throws IOException {
    this.provider = provider;
    this.dimension = dimension;
    this.requiredKey = requiredKey;
    this.record = record;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext(provider.equals("ollama") ? "/api/embed" : "/v1/embeddings", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  /** A server of {@code provider} ("openai", "ollama", "voyage") answering with {@code dimension}-long vectors. */
  public static FakeEmbeddingServer start(String provider, int dimension, String requiredKey) throws IOException {
    return new FakeEmbeddingServer(provider, dimension, requiredKey, true);
  }

  /** For benchmarks: keeps no record of requests. */
  public static FakeEmbeddingServer startUnrecorded(String provider, int dimension) throws IOException {
    return new FakeEmbeddingServer(provider, dimension, null, false);
  }

  /** What config.json's {@code embedding.base_url} should say. */
  public String baseUrl() {
    String root = "http://127.0.0.1:" + server.getAddress().getPort();
    return provider.equals("ollama") ? root : root + "/v1";
  }

  public void failNext(int times, int status, String retryAfter) {
    for (int i = 0; i < times; i++) {
      script.add(new Misbehaviour(status, retryAfter, false, false, false));
    }
  }

  /** The next {@code times} requests get no answer until {@link #close()}. */
  public void hangNext(int times) {
    for (int i = 0; i < times; i++) {
      script.add(new Misbehaviour(200, null, true, false, false));
    }
  }

  /** After {@code okRequests} more answered requests, every request fails with {@code status} until {@link #recover()}. */
  public void failEverythingAfter(int okRequests, int status) {
    failStatus = status;
    okLeft.set(okRequests);
  }

  public void recover() {
    okLeft.set(-1);
  }

  public void malformedNext() {
    script.add(new Misbehaviour(200, null, false, true, false));
  }

  public void wrongDimensionNext() {
    script.add(new Misbehaviour(200, null, false, false, true));
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Texts embedded (answered with vectors) so far. */
  public int textsEmbedded() {
    return texts.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (record) {
        requests.add(new Request(exchange.getRequestURI().getPath(), authorization, body));
      }
      if (requiredKey != null && !("Bearer " + requiredKey).equals(authorization)) {
        send(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}");
        return;
      }
      if (okLeft.get() >= 0 && okLeft.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
        send(exchange, failStatus, "{\"error\":{\"message\":\"failing on purpose\"}}");
        return;
      }
      Misbehaviour m = script.poll();
      if (m != null && m.hang()) {
        released.await();
        return;
      }
      if (m != null && m.status() != 200) {
        if (m.retryAfter() != null) {
          exchange.getResponseHeaders().set("Retry-After", m.retryAfter());
        }
        send(exchange, m.status(), "{\"error\":{\"message\":\"scripted " + m.status() + "\"}}");
        return;
      }
      if (m != null && m.malformed()) {
        send(exchange, 200, "<html>gateway says hello</html>");
        return;
      }
      int dim = m != null && m.wrongDimension() ? dimension / 2 : dimension;
      StringBuilder out = new StringBuilder(body.get("input").size() * dim * 8);
      boolean ollama = provider.equals("ollama");
      out.append(ollama ? "{\"model\":\"m\",\"embeddings\":[" : "{\"object\":\"list\",\"data\":[");
      int i = 0;
      for (JsonNode input : body.get("input")) {
        if (i > 0) {
          out.append(',');
        }
        if (!ollama) {
          out.append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":");
        }
        appendVector(out, input.asText(), dim);
        if (!ollama) {
          out.append('}');
        }
        i++;
      }
      out.append("]}");
      texts.addAndGet(i);
      send(exchange, 200, out.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A hashed bag of the text's words (lower case, split at non-letters), not normalized: the client does that. */
  private static void appendVector(StringBuilder out, String text, int dim) {
    float[] v = new float[dim];
    for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      if (!word.isEmpty()) {
        v[Math.floorMod(word.hashCode(), dim)] += 1;
      }
    }
    v[0] += 0.01f; // never all zeros
    out.append('[');
    for (int j = 0; j < dim; j++) {
      if (j > 0) {
        out.append(',');
      }
      out.append(v[j] == 0 ? "0" : Float.toString(v[j]));
    }
    out.append(']');
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
