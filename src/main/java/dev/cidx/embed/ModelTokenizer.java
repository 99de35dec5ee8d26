package dev.cidx.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model's HuggingFace tokenizer, loaded twice from the same tokenizer.json with different settings:
 * once as the model reads text (special tokens added, truncated at {@link EmbeddingModel#maxTokens()},
 * never padded — padding is done per batch) and once for counting (no special tokens, no truncation).
 * The tokenizer.json files configure their own truncation and padding (the MiniLM one pads every text
 * to a fixed 128), so both are overridden explicitly.
 *
 * <p>Thread-safe: the native tokenizers are immutable after construction and encode concurrently; the
 * counting one is built once, on first use, under the object's lock.
 */
final class ModelTokenizer implements TokenCounter, AutoCloseable {
  private final EmbeddingModel model;
  private final byte[] json;
  private final HuggingFaceTokenizer forModel;
  /**
   * The counting half, built on the first count: only indexing counts, and building it (a second native
   * tokenizer, the Java counter's 30,000-word vocabulary parsed from JSON) was a third of a daemon's
   * model load, on the critical path of every cold query. Guarded by {@code this}.
   */
  private Counting counting;
  /** Token counts of texts seen before (lines, mostly); at most about 16 MB of short strings. */
  private final Map<String, Integer> knownCounts = new ConcurrentHashMap<>();
  private static final int MAX_KNOWN_COUNTS = 200_000;
  private static final int MAX_CACHED_LENGTH = 200;

  /**
   * @param forCounting the native tokenizer without special tokens or truncation
   * @param inJava counts most texts without the native library; empty for a tokenizer it does not reproduce
   */
  private record Counting(HuggingFaceTokenizer forCounting, Optional<WordPieceCounter> inJava) {}

  private ModelTokenizer(EmbeddingModel model, byte[] json, HuggingFaceTokenizer forModel) {
    this.model = model;
    this.json = json;
    this.forModel = forModel;
  }

  static ModelTokenizer load(EmbeddingModel model) {
    byte[] json = read(model);
    return new ModelTokenizer(model, json, open(model, json, Map.of(
        "addSpecialTokens", "true",
        "truncation", "true",
        "maxLength", Integer.toString(model.maxTokens()),
        "modelMaxLength", Integer.toString(model.maxTokens()),
        "padding", "false")));
  }

  private synchronized Counting counting() {
    if (counting == null) {
      HuggingFaceTokenizer forCounting = open(model, json, Map.of(
          "addSpecialTokens", "false",
          "truncation", "false",
          "padding", "false"));
      try {
        counting = new Counting(forCounting, javaCounter(model, json));
      } catch (RuntimeException e) {
        forCounting.close();
        throw e;
      }
    }
    return counting;
  }

  private static byte[] read(EmbeddingModel model) {
    String resource = model.tokenizerResource();
    try (InputStream in = ModelTokenizer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new EmbeddingException("tokenizer " + resource + " for " + model.modelName()
            + " is not on the class path (is the langchain4j model jar missing?)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new EmbeddingException("cannot load tokenizer " + resource + ": " + e.getMessage(), e);
    }
  }

  private static HuggingFaceTokenizer open(EmbeddingModel model, byte[] json, Map<String, String> options) {
    try {
      return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
    } catch (IOException | RuntimeException e) {
      throw new EmbeddingException(
          "cannot load tokenizer " + model.tokenizerResource() + ": " + e.getMessage(), e);
    }
  }

  /** The Java counter when the tokenizer is one it reproduces; the native one counts everything otherwise. */
  private static Optional<WordPieceCounter> javaCounter(EmbeddingModel model, byte[] json) {
    try {
      return WordPieceCounter.of(new ObjectMapper().readTree(json));
    } catch (IOException e) {
      throw new EmbeddingException(
          "cannot read tokenizer " + model.tokenizerResource() + ": " + e.getMessage(), e);
    }
  }

  /** Token ids as the model reads them: with special tokens, truncated, unpadded. */
  long[] encode(String text) {
    return forModel.encode(text).getIds();
  }

  /** {@link #encode(String)} for many texts at once, in input order. */
  long[][] encode(List<String> texts) {
    Encoding[] encodings = forModel.batchEncode(texts);
    long[][] ids = new long[encodings.length][];
    for (int i = 0; i < encodings.length; i++) {
      ids[i] = encodings[i].getIds();
    }
    return ids;
  }

  /**
   * Counts in Java what {@link WordPieceCounter} counts exactly (printable ASCII: nearly every line of
   * code), the rest through the native library. That call goes to the native library directly rather
   * than through {@code batchEncode}, which builds a full {@link Encoding} per text (ids, type ids, word
   * ids, tokens, masks, character spans: eight JNI calls and their arrays); a count needs the ids alone.
   */
  @Override
  public int[] countTokens(List<String> texts) {
    // Half of a code base's lines repeat (braces, blank lines, licence headers, imports): count each
    // distinct text once per process. The cache is dropped whole when full: simple, and rare.
    Optional<WordPieceCounter> inJava = counting().inJava();
    int[] counts = new int[texts.size()];
    List<String> missing = new ArrayList<>();
    List<Integer> missingAt = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      String text = texts.get(i);
      int count = inJava.isPresent() ? inJava.get().count(text) : WordPieceCounter.DECLINED;
      if (count == WordPieceCounter.DECLINED) {
        Integer known = knownCounts.get(text);
        count = known != null ? known : WordPieceCounter.DECLINED;
      }
      if (count != WordPieceCounter.DECLINED) {
        counts[i] = count;
      } else {
        missing.add(text);
        missingAt.add(i);
      }
    }
    if (missing.isEmpty()) {
      return counts;
    }
    int[] counted = countUncached(missing);
    if (knownCounts.size() > MAX_KNOWN_COUNTS) {
      knownCounts.clear();
    }
    for (int j = 0; j < counted.length; j++) {
      counts[missingAt.get(j)] = counted[j];
      if (missing.get(j).length() <= MAX_CACHED_LENGTH) {
        knownCounts.put(missing.get(j), counted[j]);
      }
    }
    return counts;
  }

  /** The native tokenizer's counts alone, for checking the Java counter against it. */
  int[] countNatively(List<String> texts) {
    return countUncached(texts);
  }

  private int[] countUncached(List<String> texts) {
    long[] encodings = TokenizersLibrary.LIB.batchEncode(counting().forCounting().getHandle(), texts.toArray(String[]::new), false);
    int[] counts = new int[encodings.length];
    for (int i = 0; i < encodings.length; i++) {
      try {
        counts[i] = TokenizersLibrary.LIB.getTokenIds(encodings[i]).length;
      } finally {
        TokenizersLibrary.LIB.deleteEncoding(encodings[i]);
      }
    }
    return counts;
  }

  @Override
  public void close() {
    try {
      forModel.close();
    } finally {
      synchronized (this) {
        if (counting != null) {
          counting.forCounting().close();
        }
      }
    }
  }
}
