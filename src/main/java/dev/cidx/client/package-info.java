/**
 * The thin client of the daemon: connecting ({@link dev.cidx.client.DaemonClient}), the version handshake,
 * starting a daemon process when there is none ({@link dev.cidx.client.DaemonStarter}), streaming a
 * forwarded command's output, and the daemon commands of the CLI ({@link dev.cidx.client.DaemonControl}).
 *
 * <p>Each method of the protocol, as message counts: {@code hello}, {@code ping}, {@code status},
 * {@code query}, {@code clear_cache}, {@code shutdown}: exactly one request, exactly one response;
 * {@code run}: exactly one request, zero or more {@code output} notifications, exactly one response;
 * {@code index}: exactly one request, zero or more {@code progress} notifications, exactly one response.
 * See {@code dev.cidx.daemon}'s package documentation for what the daemon does on its side.
 *
 * <p>May import: {@code protocol}, {@code config}, the JDK and Jackson. It loads no Lucene, ONNX or
 * picocli class, so the {@code cidx query} fast path starts quickly; that path ({@link
 * dev.cidx.client.DaemonStarter#run}) also stays clear of Jackson databind and of lambdas, whose first
 * use costs a short-lived process more than the rest of a warm query. It never deletes a socket, and talks
 * only to a socket, a directory and a daemon process of the user's own ({@link dev.cidx.client.SocketTrust}).
 *
 * <p>Threads: a {@link dev.cidx.client.DaemonClient} serves one thread; the static helpers are thread-safe;
 * {@link dev.cidx.client.DaemonStarter} serializes starts per repository across threads and processes.
 */
package dev.cidx.client;
