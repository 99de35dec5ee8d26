package dev.cidx.embed;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The models cidx can run, each shipped as an ONNX file and a tokenizer inside a Maven Central jar, so
 * nothing is downloaded at run time. The name is what config.json and the index record.
 */
public enum EmbeddingModel {
  /**
   * BAAI bge-small-en-v1.5, int8-quantized. CLS pooling. Trained with an instruction prefix on retrieval
   * queries (not on passages).
   */
  BGE_SMALL_EN_V15("bge-small-en-v1.5", "bge-small-en-v1.5-q", 384, 512,
      Pooling.CLS, "Represent this sentence for searching relevant passages: "),
  /** sentence-transformers all-MiniLM-L6-v2, int8-quantized: smaller and faster, mean pooling, 256 tokens. */
  ALL_MINILM_L6_V2("all-minilm-l6-v2", "all-minilm-l6-v2-q", 384, 256, Pooling.MEAN, "");

  /** How token vectors become one sentence vector. */
  public enum Pooling { CLS, MEAN }

  private final String modelName;
  private final String resourceBase;
  private final int dimension;
  private final int maxTokens;
  private final Pooling pooling;
  private final String queryInstruction;

  EmbeddingModel(String modelName, String resourceBase, int dimension, int maxTokens, Pooling pooling,
      String queryInstruction) {
    this.modelName = modelName;
    this.resourceBase = resourceBase;
    this.dimension = dimension;
    this.maxTokens = maxTokens;
    this.pooling = pooling;
    this.queryInstruction = queryInstruction;
  }

  public String modelName() { return modelName; }

  public int dimension() { return dimension; }

  /** The most tokens the model reads, special tokens included; the rest is truncated. */
  public int maxTokens() { return maxTokens; }

  public Pooling pooling() { return pooling; }

  /** Prefixed to queries (never to documents); empty when the model has none. */
  public String queryInstruction() { return queryInstruction; }

  /** Classpath resource of the ONNX graph. */
  public String onnxResource() { return "/" + resourceBase + ".onnx"; }

  /** Classpath resource of the HuggingFace tokenizer.json. */
  public String tokenizerResource() { return "/" + resourceBase + "-tokenizer.json"; }

  /** Looks a model up by its name (case-insensitive; a trailing {@code -q} is accepted). */
  public static EmbeddingModel byName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (EmbeddingModel m : values()) {
      if (m.modelName.equals(wanted) || m.resourceBase.equals(wanted)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown embedding model '" + name + "': choose one of "
        + Arrays.stream(values()).map(EmbeddingModel::modelName).collect(Collectors.joining(", ")));
  }
}
