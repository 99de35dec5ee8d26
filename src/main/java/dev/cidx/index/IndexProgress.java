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
   * Where a run stands. {@code chunksToEmbed} grows while files are being chunked; the run is done when
   * {@code chunksEmbedded == chunksToEmbed} and {@code filesDone == filesToIndex}.
   */
  record Snapshot(Phase phase, int filesScanned, int filesToIndex, int filesDone, int chunksToEmbed,
      int chunksEmbedded, double elapsedSeconds) {

    /** Embedded chunks per second so far in this run. */
    public double chunksPerSecond() {
      return elapsedSeconds > 0 ? chunksEmbedded / elapsedSeconds : 0;
    }
  }

  enum Phase { SCANNING, EMBEDDING, COMMITTING, DONE }
}
