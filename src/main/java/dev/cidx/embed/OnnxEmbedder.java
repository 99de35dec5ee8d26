package dev.cidx.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * Runs an {@link EmbeddingModel} with ONNX Runtime on the CPU.
 *
 * <h2>One text per run</h2>
 * Every text runs through the model alone, never batched with others. The models are int8 with
 * dynamic quantization: each run picks one quantization scale from all activations in its input, so a
 * text's vector depends on what it was batched with (by up to 0.03 per component, with or without
 * padding). An index whose vectors change with batch composition could not reuse cached embeddings or
 * compare a chunk's vector across runs, so batching is out. It also costs nothing: batching 350-token
 * chunks needs <em>more</em> CPU per chunk, not less (see {@link Tuning}).
 *
 * <h2>Throughput</h2>
 * {@link #embedDocuments} tokenizes all texts in one native call (under 2% of the CPU time), then
 * {@code workers} threads, one per core, each take the longest text not yet embedded and run it
 * single-threaded; taking the longest first keeps the last texts short, so the workers finish together.
 * The query path runs on the caller's thread. See {@link Tuning} for the measurements.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread; {@code OrtSession.run} is thread-safe, so queries from
 * the daemon's request threads run beside any indexing work. A read-write lock keeps {@link #close()}
 * from freeing the session or tokenizer under a running call: each public call holds the read lock from
 * start to end (its workers run within that span), close takes the write lock. Workers never take the
 * lock themselves: a reader queued behind a waiting {@code close()} would deadlock with the call that
 * is waiting for it.
 */
public final class OnnxEmbedder implements Embedder {
  private static final BooleanSupplier NEVER = () -> false;
  private final EmbeddingModel model;
  private final Tuning tuning;
  private final ModelTokenizer tokenizer;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final boolean feedsTokenTypeIds;
  private final Set<String> outputNames;
  /** Runs the texts of one embedDocuments call in parallel; null for a single worker. Daemon threads. */
  private final ExecutorService workers;

  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final QueryVectorCache queryVectors = new QueryVectorCache(QueryVectorCache.DEFAULT_CAPACITY);
  /** Guarded by {@code lifecycle}'s write lock (read under its read lock). */
  private boolean closed;

  private OnnxEmbedder(EmbeddingModel model, Tuning tuning, ModelTokenizer tokenizer, OrtEnvironment environment,
      OrtSession session) throws OrtException {
    this.model = model;
    this.tuning = tuning;
    this.tokenizer = tokenizer;
    this.environment = environment;
    this.session = session;
    Map<String, NodeInfo> inputs = session.getInputInfo();
    if (!inputs.containsKey("input_ids") || !inputs.containsKey("attention_mask")) {
      throw new EmbeddingException("model " + model.modelName() + " has inputs " + inputs.keySet()
          + ", expected input_ids and attention_mask");
    }
    this.feedsTokenTypeIds = inputs.containsKey("token_type_ids");
    this.outputNames = Set.of(tokenOutput(session));
    this.workers = tuning.workers() == 1 ? null : Executors.newFixedThreadPool(tuning.workers(), daemonThreads());
  }

  /**
   * Loads the model and its tokenizer from the class path (about a second for bge-small). Unpacks ONNX
   * Runtime into the user's cache on first use; see {@link NativeLibraries}.
   *
   * @throws EmbeddingException if the native libraries, the model or the tokenizer cannot be loaded
   */
  public static OnnxEmbedder open(EmbeddingModel model) {
    return open(model, Tuning.fromSystemProperties());
  }

  static OnnxEmbedder open(EmbeddingModel model, Tuning tuning) {
    NativeLibraries.prepare();
    return open(model, tuning, NativeLibraries.cacheDir());
  }

  /** With the optimized model kept under {@code cache} (tests give each their own). */
  static OnnxEmbedder open(EmbeddingModel model, Tuning tuning, Path cache) {
    Objects.requireNonNull(model, "model");
    NativeLibraries.prepare();
    ModelTokenizer tokenizer = null;
    OrtSession session = null;
    boolean success = false;
    try {
      OrtEnvironment environment;
      try {
        environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "cidx");
      } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
        throw new EmbeddingException("cannot load ONNX Runtime from "
            + System.getProperty(NativeLibraries.ORT_NATIVE_PATH_PROPERTY) + ": " + e, e);
      }
      tokenizer = ModelTokenizer.load(model);
      session = createSession(environment, model, tuning, cache);
      OnnxEmbedder embedder = new OnnxEmbedder(model, tuning, tokenizer, environment, session);
      // A session's first run sets up its kernels and memory: 20-40 ms, about three times a later run.
      // Paid here, on the thread loading the model, rather than by the query waiting for the model.
      embedder.run(tokenizer.encode("warm up"));
      success = true;
      return embedder;
    } catch (OrtException e) {
      throw new EmbeddingException("cannot load model " + model.modelName() + ": " + e.getMessage(), e);
    } finally {
      if (!success) {
        closeQuietly(session);
        if (tokenizer != null) {
          tokenizer.close();
        }
      }
    }
  }

  private static OrtSession createSession(OrtEnvironment environment, EmbeddingModel model, Tuning tuning,
      Path cache) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(tuning.intraOpThreads());
      options.setInterOpNumThreads(1);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      if (!tuning.spin()) {
        // Idle pool threads otherwise spin for a while after each run, burning the core another
        // batch or a query could use.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      return OptimizedModelFile.in(cache, model).createSession(environment, options);
    }
  }

  /** The [batch, tokens, dimension] output: the per-token hidden states that pooling reduces. */
  private static String tokenOutput(OrtSession session) throws OrtException {
    for (Map.Entry<String, NodeInfo> output : session.getOutputInfo().entrySet()) {
      ValueInfo info = output.getValue().getInfo();
      if (info instanceof TensorInfo && ((TensorInfo) info).getShape().length == 3) {
        return output.getKey();
      }
    }
    throw new EmbeddingException("model has no [batch, tokens, dimension] output among "
        + session.getOutputInfo().keySet());
  }

  @Override
  public EmbeddingModel model() {
    return model;
  }

  @Override
  public float[] embedQuery(String text) {
    Objects.requireNonNull(text, "text");
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      checkOpen();
      return queryVectors.get(text, t -> run(tokenizer.encode(model.queryInstruction() + t)));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    return embedDocuments(texts, NEVER);
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts, BooleanSupplier cancelled) {
    if (texts.isEmpty()) {
      return List.of();
    }
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      checkOpen();
      long[][] ids = tokenizer.encode(texts);
      int[] order = longestFirst(ids);
      float[][] vectors = new float[ids.length][];
      if (workers == null || ids.length == 1) {
        for (int i : order) {
          if (cancelled.getAsBoolean()) {
            throw new CancellationException("embedding cancelled");
          }
          vectors[i] = run(ids[i]);
        }
      } else {
        runInParallel(ids, order, vectors, cancelled);
      }
      return Arrays.asList(vectors);
    } finally {
      lock.unlock();
    }
  }

  /** Indexes of {@code ids}, longest first. Package-private for tests. */
  static int[] longestFirst(long[][] ids) {
    return IntStream.range(0, ids.length).boxed()
        .sorted(Comparator.comparingInt((Integer i) -> ids[i].length).reversed())
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /**
   * Each worker takes the next text from a shared counter, so no worker idles while another still has
   * a queue. Waits for every worker even when interrupted or failing: the caller's read lock is what
   * keeps the session open under them.
   */
  private void runInParallel(long[][] ids, int[] order, float[][] vectors, BooleanSupplier cancelled) {
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean cancelledPartWay = new AtomicBoolean();
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < tuning.workers(); w++) {
      running.add(workers.submit(() -> {
        for (int k; (k = next.getAndIncrement()) < order.length; ) {
          if (cancelled.getAsBoolean()) {
            cancelledPartWay.set(true);
            next.set(order.length); // the other workers stop after their current text
            break;
          }
          vectors[order[k]] = run(ids[order[k]]);
        }
        return null;
      }));
    }
    RuntimeException failure = null;
    boolean interrupted = false;
    for (Future<?> future : running) {
      while (true) {
        try {
          future.get();
          break;
        } catch (ExecutionException e) {
          next.set(order.length); // the other workers stop after their current text
          RuntimeException cause = e.getCause() instanceof RuntimeException
              ? (RuntimeException) e.getCause()
              : new EmbeddingException("embedding failed: " + e.getCause(), e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
          break;
        } catch (InterruptedException e) {
          next.set(order.length);
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      EmbeddingException stopped = new EmbeddingException("interrupted while embedding " + order.length + " texts");
      if (failure != null) {
        stopped.addSuppressed(failure);
      }
      throw stopped;
    }
    if (failure != null) {
      throw failure;
    }
    if (cancelledPartWay.get()) {
      throw new CancellationException("embedding cancelled");
    }
  }

  /** Runs one text. The caller holds the read lock (directly, or through the call it works for). */
  private float[] run(long[] ids) {
    long[] shape = {1, ids.length};
    long[] mask = new long[ids.length];
    Arrays.fill(mask, 1L);
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
      feed.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
      if (feedsTokenTypeIds) {
        feed.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[ids.length]), shape));
      }
      try (OrtSession.Result result = session.run(feed, outputNames)) {
        return pool(((OnnxTensor) result.get(0)).getFloatBuffer(), ids.length);
      }
    } catch (OrtException e) {
      throw new EmbeddingException("model " + model.modelName() + " failed on a text of " + ids.length
          + " tokens: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor tensor : feed.values()) {
        tensor.close();
      }
    }
  }

  /** Reduces the [1, tokens, dimension] hidden states to one unit vector. */
  private float[] pool(FloatBuffer hidden, int tokens) {
    int dim = model.dimension();
    float[] v = new float[dim];
    if (model.pooling() == EmbeddingModel.Pooling.CLS) {
      hidden.get(0, v);
    } else {
      float[] token = new float[dim];
      for (int t = 0; t < tokens; t++) {
        hidden.get(t * dim, token);
        for (int d = 0; d < dim; d++) {
          v[d] += token[d];
        }
      }
      for (int d = 0; d < dim; d++) {
        v[d] /= tokens;
      }
    }
    return normalize(v);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("embedder for " + model.modelName() + " is closed");
    }
  }

  /** Scales {@code v} in place to unit length (a zero vector stays zero); shared with {@link RemoteEmbedder}. */
  static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum > 0) {
      float scale = (float) (1 / Math.sqrt(sum));
      for (int i = 0; i < v.length; i++) {
        v[i] *= scale;
      }
    }
    return v;
  }

  @Override
  public TokenCounter tokenCounter() {
    return texts -> {
      Lock lock = lifecycle.readLock();
      lock.lock();
      try {
        checkOpen();
        return tokenizer.countTokens(texts);
      } finally {
        lock.unlock();
      }
    };
  }

  @Override
  public void close() {
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      Throwable failure = null;
      if (workers != null) {
        workers.shutdownNow();
      }
      try {
        session.close();
      } catch (OrtException | RuntimeException e) {
        failure = e;
      }
      try {
        tokenizer.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
      if (failure != null) {
        throw new EmbeddingException("closing " + model.modelName() + " failed: " + failure.getMessage(), failure);
      }
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException | RuntimeException ignored) {
        // Already failing; the original exception is the one to report.
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "cidx-embed-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
