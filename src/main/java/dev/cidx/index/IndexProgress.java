package dev.cidx.index;

/**
 * Receives the indexer's progress. Called from the indexing thread, often: implementations must be cheap
 * (a progress bar throttles its own redraws).
 */
@FunctionalInterface
public interface IndexProgress {
  IndexProgress NONE = p -> {};

  void update(Snapshot progress);

  /**
   * A commit of this run is in place: readers reopening now see it. The daemon refreshes its snapshot
   * here, so its queries follow each commit without reopening anything on their own path.
   */
  default void committed() {}

  /**
   * Where a run stands. {@code chunksToEmbed} grows while files are being chunked; the run is done when
   * {@code chunksEmbedded == chunksToEmbed} and {@code filesDone == filesToIndex}. {@code elapsedSeconds}
   * counts from the start of the run, or, while embedding (and committing during it), from the start of
   * the embedding, so that {@link #chunksPerSecond} is the embedding's rate. {@code textCommitted}:
   * full-text search already covers every file of this run, while the embedding goes on.
   */
  record Snapshot(Phase phase, int filesScanned, int filesToIndex, int filesDone, int chunksToEmbed,
      int chunksEmbedded, double elapsedSeconds, boolean textCommitted) {

    public Snapshot(Phase phase, int filesScanned, int filesToIndex, int filesDone, int chunksToEmbed,
        int chunksEmbedded, double elapsedSeconds) {
      this(phase, filesScanned, filesToIndex, filesDone, chunksToEmbed, chunksEmbedded, elapsedSeconds, false);
    }

    /** Embedded chunks per second so far in this run's embedding. */
    public double chunksPerSecond() {
      return elapsedSeconds > 0 ? chunksEmbedded / elapsedSeconds : 0;
    }
  }

  /** CHUNKING writes the full-text index of the changed files; EMBEDDING gives their chunks vectors. */
  enum Phase { SCANNING, CHUNKING, EMBEDDING, COMMITTING, DONE }
}
