package dev.cidx.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Runs an {@link EmbeddingModel} with ONNX Runtime on the CPU.
 *
 * <h2>Throughput</h2>
 * Indexing a large repository embeds tens of thousands of chunks, so {@link #embedDocuments} is built
 * to keep both cores busy with useful work:
 * <ol>
 *   <li>All texts are tokenized up front (one native batch call; well under 1% of the time).
 *   <li>They are sorted by token count, so each batch holds texts of similar length and padding is
 *       minimal; each batch is padded only to its own longest text, never to {@code maxTokens}.
 *   <li>Batches are cut by a token budget (padded tokens per batch, and a cap on texts), so short
 *       texts travel in big batches and long ones in smaller batches.
 *   <li>Batches run on {@code workers} threads against one session; results are put back in input
 *       order.
 * </ol>
 * See {@link Tuning} for why the session runs single-threaded with two workers.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread. {@code OrtSession.run} is thread-safe, so queries from
 * the daemon's request threads run directly on the caller's thread beside any indexing batches. A
 * read-write lock keeps {@link #close()} from freeing the native session under a running call: calls
 * hold the read lock while they touch the session, close takes the write lock.
 */
public final class OnnxEmbedder implements Embedder {
  private final EmbeddingModel model;
  private final Tuning tuning;
  private final ModelTokenizer tokenizer;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final boolean feedsTokenTypeIds;
  private final String outputName;
  /** Runs batches in parallel; null when {@code tuning.workers() == 1}. Daemon threads. */
  private final ExecutorService workers;

  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
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
    this.outputName = tokenOutput(session);
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
      session = createSession(environment, model, tuning);
      OnnxEmbedder embedder = new OnnxEmbedder(model, tuning, tokenizer, environment, session);
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

  private static OrtSession createSession(OrtEnvironment environment, EmbeddingModel model, Tuning tuning)
      throws OrtException {
    byte[] onnx;
    try (InputStream in = OnnxEmbedder.class.getResourceAsStream(model.onnxResource())) {
      if (in == null) {
        throw new EmbeddingException("model " + model.onnxResource() + " for " + model.modelName()
            + " is not on the class path (is the langchain4j model jar missing?)");
      }
      onnx = in.readAllBytes();
    } catch (IOException e) {
      throw new EmbeddingException("cannot read model " + model.onnxResource() + ": " + e.getMessage(), e);
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(tuning.intraOpThreads());
      options.setInterOpNumThreads(1);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      if (!tuning.spin()) {
        // Idle pool threads otherwise spin for a while after each run, burning the core another
        // batch or a query could use.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      return environment.createSession(onnx, options);
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
    long[][] ids = {tokenizer.encode(model.queryInstruction() + text)};
    return run(ids)[0];
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    long[][] ids = tokenizer.encode(texts);
    List<int[]> batches = batches(ids, tuning.tokenBudget(), tuning.maxBatch());
    float[][] vectors = new float[ids.length][];
    if (workers == null || batches.size() == 1) {
      for (int[] batch : batches) {
        runBatch(ids, batch, vectors);
      }
    } else {
      runInParallel(ids, batches, vectors);
    }
    return Arrays.asList(vectors);
  }

  /**
   * Each worker takes the next batch from a shared counter rather than a fixed share, so the two finish
   * together even though batches differ in cost.
   */
  private void runInParallel(long[][] ids, List<int[]> batches, float[][] vectors) {
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < tuning.workers(); w++) {
      running.add(workers.submit(() -> {
        for (int b; (b = next.getAndIncrement()) < batches.size(); ) {
          runBatch(ids, batches.get(b), vectors);
        }
        return null;
      }));
    }
    RuntimeException failure = null;
    for (Future<?> future : running) {
      try {
        future.get();
      } catch (ExecutionException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException
            ? (RuntimeException) e.getCause()
            : new EmbeddingException("embedding failed: " + e.getCause(), e.getCause());
        if (failure == null) {
          failure = cause;
        } else if (failure != cause) {
          failure.addSuppressed(cause);
        }
        next.set(batches.size()); // the other worker stops after its current batch
      } catch (InterruptedException e) {
        next.set(batches.size());
        Thread.currentThread().interrupt();
        throw new EmbeddingException("interrupted while embedding", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void runBatch(long[][] ids, int[] batch, float[][] vectors) {
    long[][] batchIds = new long[batch.length][];
    for (int i = 0; i < batch.length; i++) {
      batchIds[i] = ids[batch[i]];
    }
    float[][] result = run(batchIds);
    for (int i = 0; i < batch.length; i++) {
      vectors[batch[i]] = result[i];
    }
  }

  /**
   * Groups text indexes into batches: sorted by length so neighbours pad little, and cut when the
   * padded size (texts times the longest) would pass the budget. Package-private for tests.
   */
  static List<int[]> batches(long[][] ids, int tokenBudget, int maxBatch) {
    Integer[] order = new Integer[ids.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
    List<int[]> batches = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int end = start + 1;
      // Sorted ascending, so the text being added is always the batch's longest.
      while (end < order.length && end - start < maxBatch
          && (long) (end - start + 1) * ids[order[end]].length <= tokenBudget) {
        end++;
      }
      int[] batch = new int[end - start];
      for (int i = start; i < end; i++) {
        batch[i - start] = order[i];
      }
      batches.add(batch);
      start = end;
    }
    return batches;
  }

  /** Runs one padded batch and pools it; holds the read lock so close() cannot free the session meanwhile. */
  private float[][] run(long[][] ids) {
    int rows = ids.length;
    int width = 0;
    for (long[] row : ids) {
      width = Math.max(width, row.length);
    }
    long[] inputIds = new long[rows * width];
    long[] mask = new long[rows * width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(ids[r], 0, inputIds, r * width, ids[r].length);
      Arrays.fill(mask, r * width, r * width + ids[r].length, 1L);
    }
    long[] shape = {rows, width};
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("embedder for " + model.modelName() + " is closed");
      }
      Map<String, OnnxTensor> feed = new HashMap<>();
      try {
        feed.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape));
        feed.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
        if (feedsTokenTypeIds) {
          feed.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[rows * width]), shape));
        }
        try (OrtSession.Result result = session.run(feed, java.util.Set.of(outputName))) {
          FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
          return pool(hidden, ids, width);
        }
      } finally {
        for (OnnxTensor tensor : feed.values()) {
          tensor.close();
        }
      }
    } catch (OrtException e) {
      throw new EmbeddingException("model " + model.modelName() + " failed on a batch of " + rows + " x "
          + width + " tokens: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private float[][] pool(FloatBuffer hidden, long[][] ids, int width) {
    int dim = model.dimension();
    float[][] vectors = new float[ids.length][];
    for (int r = 0; r < ids.length; r++) {
      float[] v = new float[dim];
      int rowBase = r * width * dim;
      if (model.pooling() == EmbeddingModel.Pooling.CLS) {
        hidden.get(rowBase, v);
      } else {
        // Mean over the real tokens only: padding rows are excluded by taking the text's own length.
        int tokens = ids[r].length;
        float[] token = new float[dim];
        for (int t = 0; t < tokens; t++) {
          hidden.get(rowBase + t * dim, token);
          for (int d = 0; d < dim; d++) {
            v[d] += token[d];
          }
        }
        for (int d = 0; d < dim; d++) {
          v[d] /= tokens;
        }
      }
      vectors[r] = normalize(v);
    }
    return vectors;
  }

  private static float[] normalize(float[] v) {
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
    return tokenizer;
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
