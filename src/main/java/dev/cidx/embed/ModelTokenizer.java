package dev.cidx.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model's HuggingFace tokenizer, loaded twice from the same tokenizer.json with different settings:
 * once as the model reads text (special tokens added, truncated at {@link EmbeddingModel#maxTokens()},
 * never padded — padding is done per batch) and once for counting (no special tokens, no truncation).
 * The tokenizer.json files configure their own truncation and padding (the MiniLM one pads every text
 * to a fixed 128), so both are overridden explicitly.
 *
 * <p>Thread-safe: the native tokenizer is immutable after construction and encodes concurrently.
 */
final class ModelTokenizer implements TokenCounter, AutoCloseable {
  private final HuggingFaceTokenizer forModel;
  private final HuggingFaceTokenizer forCounting;
  /** Token counts of texts seen before (lines, mostly); at most about 16 MB of short strings. */
  private final Map<String, Integer> knownCounts = new ConcurrentHashMap<>();
  private static final int MAX_KNOWN_COUNTS = 200_000;
  private static final int MAX_CACHED_LENGTH = 200;

  private ModelTokenizer(HuggingFaceTokenizer forModel, HuggingFaceTokenizer forCounting) {
    this.forModel = forModel;
    this.forCounting = forCounting;
  }

  static ModelTokenizer load(EmbeddingModel model) {
    HuggingFaceTokenizer forModel = null;
    boolean success = false;
    try {
      forModel = open(model, Map.of(
          "addSpecialTokens", "true",
          "truncation", "true",
          "maxLength", Integer.toString(model.maxTokens()),
          "modelMaxLength", Integer.toString(model.maxTokens()),
          "padding", "false"));
      HuggingFaceTokenizer forCounting = open(model, Map.of(
          "addSpecialTokens", "false",
          "truncation", "false",
          "padding", "false"));
      success = true;
      return new ModelTokenizer(forModel, forCounting);
    } finally {
      if (!success && forModel != null) {
        forModel.close();
      }
    }
  }

  private static HuggingFaceTokenizer open(EmbeddingModel model, Map<String, String> options) {
    String resource = model.tokenizerResource();
    try (InputStream in = ModelTokenizer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new EmbeddingException("tokenizer " + resource + " for " + model.modelName()
            + " is not on the class path (is the langchain4j model jar missing?)");
      }
      return HuggingFaceTokenizer.newInstance(in, options);
    } catch (IOException | RuntimeException e) {
      if (e instanceof EmbeddingException) {
        throw (EmbeddingException) e;
      }
      throw new EmbeddingException("cannot load tokenizer " + resource + ": " + e.getMessage(), e);
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
   * Calls the native library directly rather than through {@code batchEncode}, which builds a full
   * {@link Encoding} per text (ids, type ids, word ids, tokens, masks, character spans: eight JNI calls
   * and their arrays); a count needs the ids alone. The chunker counts every line of every file, so
   * this is most of the full-text pass's time.
   */
  @Override
  public int[] countTokens(List<String> texts) {
    // Half of a code base's lines repeat (braces, blank lines, licence headers, imports): count each
    // distinct text once per process. The cache is dropped whole when full: simple, and rare.
    int[] counts = new int[texts.size()];
    List<String> missing = new ArrayList<>();
    List<Integer> missingAt = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      Integer known = knownCounts.get(texts.get(i));
      if (known != null) {
        counts[i] = known;
      } else {
        missing.add(texts.get(i));
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

  private int[] countUncached(List<String> texts) {
    long[] encodings = TokenizersLibrary.LIB.batchEncode(forCounting.getHandle(), texts.toArray(String[]::new), false);
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
      forCounting.close();
    }
  }
}
