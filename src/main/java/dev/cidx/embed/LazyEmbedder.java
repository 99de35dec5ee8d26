package dev.cidx.embed;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * An {@link Embedder} that opens the real one on first use, or in the background after
 * {@link #preload()}. A full-text query never needs the model, and a hybrid query can load it while
 * the index opens; {@link #model()} answers without loading anything.
 */
public final class LazyEmbedder implements Embedder {
  private final EmbeddingModel model;
  private final EmbeddingIdentity identity;
  private final Function<EmbeddingModel, Embedder> opener;
  private CompletableFuture<Embedder> loading; // guarded by this
  private boolean closed; // guarded by this

  public LazyEmbedder(EmbeddingModel model, Function<EmbeddingModel, Embedder> opener) {
    this(model, EmbeddingIdentity.local(model), opener);
  }

  /** An embedder of {@code identity}, chunk-sized by {@code model}, that {@code opener} opens. */
  public LazyEmbedder(EmbeddingModel model, EmbeddingIdentity identity, Function<EmbeddingModel, Embedder> opener) {
    this.model = model;
    this.identity = identity;
    this.opener = opener;
  }

  /** Starts loading on a background thread; returns at once. */
  public synchronized LazyEmbedder preload() {
    if (loading == null && !closed) {
      loading = CompletableFuture.supplyAsync(() -> opener.apply(model));
    }
    return this;
  }

  private Embedder delegate() {
    CompletableFuture<Embedder> f;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("embedder is closed");
      }
      if (loading == null) {
        loading = CompletableFuture.completedFuture(opener.apply(model));
      }
      f = loading;
    }
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  /** True once the real model has been asked for. */
  public synchronized boolean isLoaded() {
    return loading != null && loading.isDone() && !loading.isCompletedExceptionally();
  }

  @Override
  public EmbeddingModel model() {
    return model;
  }

  @Override
  public EmbeddingIdentity identity() {
    return identity;
  }

  @Override
  public int documentsPerCall() {
    return delegate().documentsPerCall();
  }

  @Override
  public float[] embedQuery(String text) {
    return delegate().embedQuery(text);
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    return delegate().embedDocuments(texts);
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts, java.util.function.BooleanSupplier cancelled) {
    return delegate().embedDocuments(texts, cancelled);
  }

  @Override
  public TokenCounter tokenCounter() {
    return delegate().tokenCounter();
  }

  @Override
  public void close() {
    CompletableFuture<Embedder> f;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      f = loading;
    }
    if (f != null) {
      try {
        f.join().close();
      } catch (CompletionException e) {
        // it never opened: nothing to close
      }
    }
  }
}
