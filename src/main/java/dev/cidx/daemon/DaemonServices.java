package dev.cidx.daemon;

import dev.cidx.config.RepoPaths;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a connection's methods ({@link MethodHandler}) and the connection itself use of the daemon, built
 * once by {@link DaemonServer}. Handing this instead of the server keeps the server out of the handlers'
 * reach: they cannot start, accept or reconfigure, and no class of theirs depends on {@code DaemonServer}.
 *
 * @param socketPath the socket this daemon serves (known once it is bound)
 * @param commandRunner runs forwarded command lines; null when the daemon has none
 * @param requestStop starts a graceful stop with the given reason and returns at once
 */
record DaemonServices(
    RepoPaths repo,
    Supplier<Path> socketPath,
    DaemonStateCoordinator state,
    Metrics metrics,
    DaemonQueries queries,
    CommandRunner commandRunner,
    IndexJobs indexJobs,
    DaemonWatch watch,
    IndexCache cache,
    DaemonStatus status,
    Consumer<String> requestStop) {}
