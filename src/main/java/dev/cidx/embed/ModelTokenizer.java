package dev.cidx.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

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

  @Override
  public int[] countTokens(List<String> texts) {
    Encoding[] encodings = forCounting.batchEncode(texts);
    int[] counts = new int[encodings.length];
    for (int i = 0; i < encodings.length; i++) {
      counts[i] = encodings[i].getIds().length;
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
