package dev.cidx.index;

/**
 * What one run has done so far, shared by its passes and turned into {@link IndexProgress.Snapshot}s.
 * Written by the indexing thread and the full-text pass's chunking threads, hence {@code synchronized}.
 */
final class RunCounters {
  private final long started;
  private final int filesScanned;
  private int filesToIndex;
  private int filesDone;
  private int filesChunked;
  private int chunksWritten;
  private int chunksToEmbed;
  private int embedded;
  private int reused;
  private boolean textCommitted;
  /** When the embedding pass began (System.nanoTime), or -1 before. */
  private long embeddingStarted = -1;

  RunCounters(long started, int filesScanned, int filesToIndex) {
    this.started = started;
    this.filesScanned = filesScanned;
    this.filesToIndex = filesToIndex;
  }

  synchronized void fileChunked(int chunks) {
    filesChunked++;
    chunksWritten += chunks;
  }

  /**
   * The embedding pass found its work: {@code chunks} to embed in {@code filesPending} files (a resumed
   * run's files were chunked by an earlier run, so they join the count here), and {@code reusedChunks}
   * chunks whose vectors were already known. The other files of the run are done.
   */
  synchronized void embeddingPlanned(int chunks, int filesPending, int reusedChunks) {
    chunksToEmbed = chunks;
    embeddingStarted = System.nanoTime();
    filesToIndex = Math.max(filesToIndex, filesPending);
    filesDone = filesToIndex - filesPending;
    reused = reusedChunks;
  }

  synchronized void embedded(int chunks, int filesCompleted) {
    embedded += chunks;
    filesDone += filesCompleted;
  }

  synchronized void textCommitted() {
    textCommitted = true;
  }

  synchronized IndexProgress.Snapshot snapshot(IndexProgress.Phase phase) {
    boolean chunking = phase == IndexProgress.Phase.CHUNKING;
    // While embedding, the time since it began: the rate and the ETA are the embedding's, not diluted
    // by the minute a big repository spends chunking first.
    boolean embedding = embeddingStarted >= 0
        && (phase == IndexProgress.Phase.EMBEDDING || phase == IndexProgress.Phase.COMMITTING);
    return new IndexProgress.Snapshot(phase, filesScanned, filesToIndex, chunking ? filesChunked : filesDone,
        chunking ? chunksWritten : chunksToEmbed, embedded,
        Indexer.seconds(embedding ? embeddingStarted : started), textCommitted);
  }

  synchronized int filesDone() {
    return filesDone;
  }

  synchronized int chunksWritten() {
    return chunksWritten;
  }

  synchronized int embedded() {
    return embedded;
  }

  synchronized int reused() {
    return reused;
  }
}
