package dev.cidx.index;

import org.apache.lucene.index.IndexWriter;

/**
 * Initializes Lucene's classes whose static initializers wait for each other, on one thread, before a
 * process that uses Lucene from several threads starts them.
 *
 * <p>In Lucene 9 the static initializers of {@code IndexWriter}, {@code ConcurrentMergeScheduler},
 * {@code SegmentReader} and {@code FilterIndexInput} each call {@code TestSecrets}, whose own initializer
 * initializes those four. A thread that builds an {@code IndexWriterConfig} (the indexer: it reaches
 * {@code ConcurrentMergeScheduler}) while another opens a reader (the daemon's cache: it reaches {@code
 * IndexWriter}) can each hold one class's initialization lock and wait forever for the other's
 * (apache/lucene#12419, #15119). The daemon hung that way when an index run started before its cache had
 * opened the index: the run never answered, and no query could load the cache. Initializing {@code
 * IndexWriter} first, on one thread, runs the whole cycle there; later threads find every class ready.
 */
public final class LuceneClasses {
  private LuceneClasses() {}

  /** Initializes the cycle's classes on the calling thread; cheap after the first call. */
  public static void initialize() {
    try {
      Class.forName(IndexWriter.class.getName(), true, IndexWriter.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError("lucene-core is on the class path", e);
    }
  }
}
