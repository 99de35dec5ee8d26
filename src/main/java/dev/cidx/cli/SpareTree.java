package dev.cidx.cli;

import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;

/**
 * The daemon's next command tree, built before a forwarded command line needs it. picocli builds a tree
 * from the annotations of every command, which cost a warm {@code cidx query} about 10 ms of the
 * daemon's time for each {@code run} (BENCHMARKS.md, issue 11); the request itself costs 1–2 ms. Each
 * tree still serves exactly one command line, as in the user's own process: {@link #take} hands out
 * the spare, and the next one is built in the background after the run; when two runs come at once,
 * the second builds its own.
 *
 * <p>Thread-safe.
 */
final class SpareTree {
  private final AtomicReference<Built> spare = new AtomicReference<>();
  private final Object building = new Object();

  /** A tree and its root, whose context is bound once the tree is taken. */
  record Built(CommandLine commandLine, RootCommand root) {}

  /** A fresh tree: the spare if one is ready, else one built now. */
  Built take() {
    Built ready = spare.getAndSet(null);
    return ready != null ? ready : build();
  }

  /**
   * Has the next tree built on a background thread: called once a run is over (building one beside a
   * running query would take a core from it on a two-core machine) and when the daemon starts.
   */
  void refillInBackground() {
    if (spare.get() != null) {
      return;
    }
    Thread next = new Thread(this::refill, "cidx-cli-tree");
    next.setDaemon(true);
    next.start();
  }

  boolean hasSpare() {
    return spare.get() != null;
  }

  private void refill() {
    synchronized (building) { // one builder at a time
      if (spare.get() == null) {
        spare.compareAndSet(null, build());
      }
    }
  }

  static Built build() {
    RootCommand root = new RootCommand();
    return new Built(new CommandLine(root), root);
  }
}
