package dev.cidx.embed;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.EmbeddingSettings;

/** Opens the embedder config.json asks for: the local model, or a remote provider. */
public final class Embedders {
  private Embedders() {}

  /** The local model: the one that embeds, or for a remote provider the one that sizes chunks. */
  public static EmbeddingModel localModel(CidxConfig config) {
    return EmbeddingModel.byName(config.embeddingModel());
  }

  /** Provider, model and dimension of the vectors {@code config} makes, without opening anything. */
  public static EmbeddingIdentity identity(CidxConfig config) {
    EmbeddingSettings e = config.embedding();
    return e.isLocal() ? EmbeddingIdentity.local(localModel(config))
        : new EmbeddingIdentity(e.provider(), e.modelName(), e.dimension());
  }

  /**
   * The name the daemon caches the embedder under: the model's name for the local provider, else
   * provider:model:dimension. Any other change to the {@code embedding} block makes the daemon drop its
   * cache too (see the daemon's config watch), so this need not spell out the rest.
   */
  public static String cacheName(CidxConfig config) {
    return identity(config).cacheKey();
  }

  /**
   * Opens the embedder now (about a second for the local model; a remote one only checks its key).
   *
   * @throws EmbeddingException the model cannot load, or a remote provider's API key is not set
   */
  public static Embedder open(CidxConfig config) {
    EmbeddingModel model = localModel(config);
    return config.embedding().isLocal() ? OnnxEmbedder.open(model)
        : RemoteEmbedder.open(config.embedding(), model, System.getenv());
  }

  /** An embedder that opens on first use, so a full-text query never loads a model nor needs a key. */
  public static LazyEmbedder lazy(CidxConfig config) {
    return new LazyEmbedder(localModel(config), identity(config), m -> open(config));
  }
}
