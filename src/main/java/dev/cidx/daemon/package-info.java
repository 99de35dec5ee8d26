/**
 * The per-repository daemon: single-instance lock, Unix socket, JSON-RPC dispatch, the cached model and
 * indexes with their read/write lock, idle expiry, config reload and status.
 *
 * <h2>The story</h2>
 *
 * <p><b>Who locks.</b> A daemon first takes an advisory lock ({@code flock}) on
 * {@code .code-indexer/daemon.lock} and writes its pid there; it holds it until it exits, and the kernel
 * drops it if the process dies, even on {@code kill -9}. A daemon that cannot take it exits with status 0,
 * saying which pid runs. Only the lock holder touches the socket path ({@link dev.cidx.daemon.DaemonLock}):
 * a socket found there while holding the lock is stale and is removed; the daemon removes its own socket
 * on stop, and only if the path still names the socket it bound. Clients never delete a socket.
 *
 * <p><b>When the socket appears.</b> After the lock, the daemon binds the socket in a private directory,
 * sets it to 0600 and renames it into place ({@code .code-indexer/daemon.sock}, or a short path under
 * {@code $XDG_RUNTIME_DIR/cidx} when that is too long for a socket). Then it accepts connections and is
 * ready: a {@code ping} is answered. Loading the model and indexes waits for the first query.
 *
 * <p><b>What a client does</b> ({@code dev.cidx.client}):
 * <ul>
 *   <li><i>No socket file, or connection refused</i> (no daemon, a stale socket, or a daemon stopping):
 *       take the client-side spawn lock ({@code daemon.spawn.lock}), try once more (another client may
 *       just have started one), else start a daemon process, and wait until {@code ping} answers, with
 *       the delays of {@code retry_delays_ms}. If the process exits with an error meanwhile, report the
 *       end of daemon.log. If it exits with 0 (it found another daemon, for instance one still stopping),
 *       keep waiting, and start another once that one is gone.</li>
 *   <li><i>Version mismatch</i>: a forwarded {@code run} carries the client's version, and a daemon of
 *       another version answers {@code VERSION_MISMATCH} (-32004) without running it, so a warm command is
 *       one request with no {@code hello} before it. On that answer, as on a mismatch in {@code hello}, the
 *       client asks the old daemon for its {@code status}; unless it is writing the index, asks it to
 *       {@code shutdown} with {@code unless_writing} (refused with {@code WRITING}, -32016, if a run began
 *       meanwhile), waits (bounded) until its socket is gone, starts a new one and retries once. A daemon
 *       that writes (an index run, a watch, notified changes not yet indexed) is another client's work and
 *       is left running: {@code cidx index} shows its run's progress and indexes once it has ended, other
 *       commands run standalone, each saying so in one line. A {@code run} without a version (an older
 *       client, which said {@code hello} first) is not checked.</li>
 *   <li><i>Timeout</i> or a daemon that cannot be started: the CLI prints one line and runs the command
 *       in its own process (standalone), which gives the same results, only slower. A daemon that took a
 *       query and says nothing for {@code query_timeout_seconds} + 15 s is the exception: the CLI prints
 *       one line and exits 2, because the same query would hang a standalone run too.</li>
 *   <li><i>{@code TOO_MANY_CONNECTIONS}</i> (-32003): {@code max_connections} are open, each with a
 *       request in flight (an idle one would have been closed to make room); the CLI says so in one line
 *       and runs the command standalone.</li>
 *   <li><i>{@code SHUTTING_DOWN}</i> (-32002): the daemon is stopping; treat it as a missing daemon.</li>
 *   <li><i>A socket, socket directory or daemon process not the user's</i> ({@code client.SocketTrust}):
 *       one line, nothing sent, the command runs standalone. The daemon, for its part, closes at once
 *       every accepted connection whose peer ({@code SO_PEERCRED}) is another user.</li>
 * </ul>
 *
 * <p><b>Wire protocol.</b> JSON-RPC 2.0, one JSON object per line ({@link dev.cidx.protocol.JsonLines}).
 * A connection carries any number of requests, answered in order. Each method is one request and
 * exactly one response; {@code run} is one request, zero or more {@code output} notifications and
 * exactly one response; {@code index} is one request, zero or more {@code progress} notifications and
 * exactly one response. Requests over 1 MiB (refused as soon as they pass it) and lines that are not JSON
 * are answered with an error and the connection is closed; every other error leaves it open. A query
 * searching longer than {@code query_timeout_seconds} is cancelled with {@code QUERY_TIMEOUT} (-32017). A
 * request must arrive within 10 s of its first byte, an answer must be taken by the client within
 * {@code query_timeout_seconds}, and a connection with no complete request for 10 minutes is closed:
 * a client cannot pin a connection thread by trickling bytes or by not reading. A request without an id is a
 * notification: it runs and gets no response.
 *
 * <p><b>Lifecycle.</b> {@link dev.cidx.daemon.DaemonServer#start()} numbers its steps (lock, bind, accept
 * loop, eviction thread, ready), and stop undoes them: stop accepting, let requests in flight finish
 * (5 s at most), close connections, stop the background tasks, drop the cache, remove the socket, release
 * the lock. A daemon stops on {@code shutdown}, on SIGTERM or SIGINT (through a shutdown hook), after
 * {@code ttl_minutes} without activity when {@code auto_shutdown_on_idle} is set, and when its socket was
 * deleted or replaced. Each reason is an {@link dev.cidx.daemon.Expiry} rule, logged and shown in status.
 *
 * <p><b>Indexing.</b> The daemon is the repository's one writer while it runs ({@link
 * dev.cidx.daemon.IndexJobs}): {@code index} starts a run on its own thread, or follows the run in
 * progress; the run embeds with the cached model and commits once, and queries meanwhile read the last
 * commit. Each follower hears a {@code progress} notification every 250 ms; a write that fails means its
 * client is gone, and when none is left the run is cancelled and rolls back. The request stays in flight
 * until the run has ended, so the daemon is busy (never idle-expired) while it writes.
 *
 * <p><b>Snapshots follow commits.</b> Queries read an index snapshot held by a
 * {@link dev.cidx.daemon.SnapshotManager}, one per loaded model. The indexer reports each commit
 * ({@code IndexProgress.committed}); {@link dev.cidx.daemon.IndexJobs} then asks for a refresh, which runs on
 * the {@code cidx-refresher} thread and costs what the commit changed: Lucene reopens only new segments,
 * the hash and path tables of unchanged segments are reused, an unchanged HNSW base is shared and only the
 * delta is read. Queries keep the snapshot they started with; new ones get the new snapshot once it is
 * ready. Snapshots are reference-counted: the last query using an old one closes it. A run (or watch
 * update) is reported done only once queries read its last commit, so a query after {@code cidx index}
 * sees what it wrote. A commit by another process is picked up by the first query that finds the index
 * stale with no refresh under way. A refresh that fails keeps the old snapshot and says so in daemon.log.
 *
 * <p><b>Watching.</b> {@code watch_start} and {@code notify} feed one {@link dev.cidx.watch.UpdateQueue}
 * ({@link dev.cidx.daemon.DaemonWatch}) whose debounced updates, each limited to the changed paths, run
 * on the same writer thread after any {@code index} run. A watch keeps the daemon busy; it ends with
 * {@code watch_stop} or the daemon.
 *
 * <h2>The parts</h2>
 * <ul>
 *   <li><i>Lifecycle and accept loop</i>: {@link dev.cidx.daemon.DaemonServer} builds the parts below, wires
 *       them together and fans config changes out to them; {@link dev.cidx.daemon.DaemonLock} (lock and
 *       socket), {@link dev.cidx.daemon.DaemonStateCoordinator} (running, stopping, requests in flight),
 *       {@link dev.cidx.daemon.EvictionTask} with the {@link dev.cidx.daemon.Expiry} rules.</li>
 *   <li><i>Connections</i>: {@link dev.cidx.daemon.ConnectionRegistry} (admission under
 *       {@code max_connections}, the idle reaper), {@link dev.cidx.daemon.Connection} (one client's lines),
 *       {@link dev.cidx.daemon.Dispatcher} and {@link dev.cidx.daemon.MethodHandler} (the methods). The
 *       handlers reach the daemon only through {@link dev.cidx.daemon.DaemonServices}, a record the server
 *       builds once.</li>
 *   <li><i>The cache</i>: {@link dev.cidx.daemon.IndexCache} (the loaded entry: loads it, drops it, reports
 *       it), {@link dev.cidx.daemon.ModelHolder} (the load lock, the model lent to index runs, counted until
 *       each gives it back), {@link dev.cidx.daemon.SnapshotManager} (reference-counted snapshots, refreshed
 *       by commits), {@link dev.cidx.daemon.CacheLoader} (what loads them; the first load begins once the
 *       lock is held, beside the socket's set-up, and {@link dev.cidx.daemon.EarlyLoad} readies Lucene and
 *       the native libraries before that).</li>
 *   <li><i>The query path</i>: {@link dev.cidx.daemon.DaemonQueries} (time budget, metrics,
 *       {@code via: "daemon"}) over {@link dev.cidx.daemon.SnapshotQueries} (the search on the current
 *       snapshot under the cache's read lock), with {@link dev.cidx.daemon.IndexErrors} wording an index it
 *       cannot read.</li>
 *   <li><i>The writer</i>: {@link dev.cidx.daemon.IndexJobs} (index runs) and
 *       {@link dev.cidx.daemon.DaemonWatch} (watch and notify updates).</li>
 *   <li><i>Status</i>: {@link dev.cidx.daemon.DaemonStatus} assembles {@code status} and says what the daemon
 *       is writing; {@link dev.cidx.daemon.Metrics} counts requests and query times.</li>
 * </ul>
 *
 * <p><b>Who depends on whom.</b> Only {@code DaemonServer} knows all the parts, and no part knows
 * {@code DaemonServer}: it hands them suppliers and callbacks. Connections go registry → connection →
 * handler → services → (state, metrics, queries, index jobs, watch, cache, status); the handler writes to
 * its client through {@link dev.cidx.daemon.ClientChannel}, which the connection implements, so there is
 * no cycle between the classes ({@code jdeps -verbose:class} finds none in the package). The cache goes {@code SnapshotQueries} →
 * {@code IndexCache} → ({@code ModelHolder}, {@code SnapshotManager}) → {@code CacheLoader}; the writer
 * ({@code IndexJobs}) borrows the model and asks for refreshes through {@code IndexCache}. Locks are taken
 * in one order: the load lock ({@code ModelHolder}) before the cache's write lock; a query takes only the
 * read lock and a snapshot reference, and never a lock while holding them.
 *
 * <h2>Rejected designs</h2>
 * <ul>
 *   <li><i>Binding the socket as the lock</i> (the original design): a socket file outlives a crashed
 *       daemon, so a starting daemon must delete it to bind, and two starting daemons can each delete
 *       the other's fresh socket. A {@code flock} dies with its process and is never stale.</li>
 *   <li><i>A pid file</i>: pids are reused, so "is the process alive" says nothing reliable.</li>
 *   <li><i>Clients removing stale sockets</i>: a client cannot tell a stale socket from one whose daemon
 *       is between bind and accept; deleting it orphans a live daemon.</li>
 *   <li><i>Length-prefixed binary frames</i>: a JSON line per message can be typed with {@code socat}
 *       and read in a log; the size limit is enforced while reading just the same.</li>
 *   <li><i>One lock around every query</i> (the original): it serialized all queries. Here queries share a
 *       read lock and only dropping the cache takes the write lock.</li>
 *   <li><i>The server as the handlers' service locator</i> (the design before {@code DaemonServices}): every
 *       handler could reach start, stop and every part, and the classes formed a cycle through the server.
 *       A public services interface was considered too; it would have exposed package-private types.</li>
 *   <li><i>Reopening on the query that notices a commit</i> (the design before SnapshotManager): the unlucky
 *       query paid for the whole reopen, on java.base the 85 MiB HNSW base read again, about a second.</li>
 *   <li><i>{@code cidx index} as a forwarded {@code run}</i>: a {@code --json} run prints nothing until
 *       the end, so the daemon would notice a departed client only then; {@code progress} notifications
 *       are a heartbeat as well, and let a second client follow the same run.</li>
 *   <li><i>A reader thread per request watching for the client's end of stream</i>: it would compete with
 *       the connection's own reads of pipelined requests; the failed write of a notification is enough.</li>
 * </ul>
 *
 * <h2>Dependencies and threads</h2>
 * May import {@code search}, {@code watch}, {@code index}, {@code embed}, {@code protocol}, {@code config}, jsonrpc4j and
 * Jackson; never {@code cli} or {@code client}. The forwarded command tree reaches it as a
 * {@link dev.cidx.daemon.CommandRunner}. Threads: an accept thread, one pool thread per connection, one
 * scheduler thread (expiry check, config poll, idle-connection reaper), a model-loading thread, a
 * snapshot-refresh thread, an indexing thread, and while watching a watch thread and an update thread; each class says which lock
 * guards what.
 */
package dev.cidx.daemon;
