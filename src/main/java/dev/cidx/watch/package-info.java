/**
 * Keeping the index fresh as files change: {@link dev.cidx.watch.TreeWatcher} turns file system events
 * below a repository root into {@link dev.cidx.index.IndexScope}s, and {@link dev.cidx.watch.UpdateQueue}
 * gathers scopes until they have been quiet for the debounce, then runs one update at a time. The same
 * two serve {@code cidx watch} in the foreground and the daemon's watch and {@code notify}; what an
 * update runs (the indexer in this process, or the daemon's one writer) is the caller's.
 *
 * <p>May import: {@code dev.cidx.index}. Both classes own one thread each and are safe to call from any
 * thread.
 */
package dev.cidx.watch;
