package dev.cidx.daemon;

import dev.cidx.config.DaemonSettings;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The rules a daemon expires by, in one list. */
final class ExpiryRules {
  private ExpiryRules() {}

  static Expiry forDaemon(DaemonStateCoordinator state, Supplier<DaemonSettings> settings, IndexCache cache,
      DaemonLock lock, BooleanSupplier watching) {
    return new AnyExpiry(List.of(
        // Unused for ttl_minutes: release the memory, and stop if configured to. A watch is use.
        new IdleTtlExpiry(state, settings, cache::isLoaded, watching),
        // Unreachable: the socket path no longer leads to us.
        new SocketReplacedExpiry(lock.socketPath(), lock::socketStillOurs)));
  }
}
