package dev.cidx.daemon;

import dev.cidx.embed.NativeLibraries;
import dev.cidx.index.LuceneClasses;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts, on its own thread, the part of the cache load that needs neither the configuration nor the
 * lock: Lucene's class initialization (the cycle {@link LuceneClasses} runs on one thread, 100 ms) and
 * the native libraries' preparation (their cache directory checked, ONNX Runtime's files found: about
 * 200 ms). A cold daemon's main thread spends its first 700 ms on one core installing the log, reading
 * config.json and binding the socket; this runs on the other meanwhile, so the cache load that follows
 * finds both done. Whatever fails here is left for the real load to report.
 */
public final class EarlyLoad {
  private EarlyLoad() {}

  /** Starts the thread and returns at once. */
  public static void start() {
    Thread t = new Thread(EarlyLoad::run, "cidx-early-load");
    t.setDaemon(true);
    t.start();
  }

  private static void run() {
    try {
      LuceneClasses.initialize(); // first: no other thread touches Lucene before DaemonServer's constructor
      NativeLibraries.prepare();
    } catch (RuntimeException | LinkageError e) {
      // Looked up only now: this thread must not race the main thread's log set-up.
      Logger.getLogger(EarlyLoad.class.getName()).log(Level.FINE, "early load failed; the cache load will retry", e);
    }
  }
}
