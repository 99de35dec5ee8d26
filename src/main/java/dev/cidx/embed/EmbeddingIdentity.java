package dev.cidx.embed;

import java.util.Objects;

/**
 * What made a vector: the provider, its model and the vectors' length. Every index commit and the
 * embedding cache record it, and vectors of one identity are never mixed with another's: two models (or
 * one model behind two providers, or at two sizes) place texts differently even at the same dimension.
 */
public record EmbeddingIdentity(String provider, String model, int dimension) {
  public static final String LOCAL = "local";

  public EmbeddingIdentity {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension (" + dimension + ") must be positive");
    }
  }

  public static EmbeddingIdentity local(EmbeddingModel model) {
    return new EmbeddingIdentity(LOCAL, model.modelName(), model.dimension());
  }

  /**
   * The name the embedding cache files vectors under: the bare model name for the local provider (what
   * caches written before providers existed hold), else provider, model and dimension.
   */
  public String cacheKey() {
    return provider.equals(LOCAL) ? model : provider + ":" + model + ":" + dimension;
  }

  /** The one-line error for an index built by {@code this} but queried or updated with {@code configured}. */
  public String mismatch(EmbeddingIdentity configured) {
    boolean bothLocal = provider.equals(LOCAL) && configured.provider.equals(LOCAL);
    return "the index was built with " + describe() + " but config.json asks for "
        + (bothLocal ? configured.model : configured.describe()) + ": run `cidx index --clear` to rebuild it";
  }

  /** For messages: "model bge-small-en-v1.5", "openai model text-embedding-3-small (1536 dimensions)". */
  public String describe() {
    return provider.equals(LOCAL) ? "model " + model : provider + " model " + model + " (" + dimension + " dimensions)";
  }
}
