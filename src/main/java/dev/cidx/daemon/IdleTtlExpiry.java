package dev.cidx.daemon;

import dev.cidx.config.DaemonSettings;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * No activity for {@code ttl_minutes}: drop the cache, and stop as well when {@code auto_shutdown_on_idle}
 * is on. Reads the settings on every check, so a config reload applies at the next one. A request in
 * flight is never idle ({@link DaemonStateCoordinator#idleFor()} is zero then), nor is a daemon that
 * watches the repository or has background updates to make.
 */
final class IdleTtlExpiry implements Expiry {
  private final DaemonStateCoordinator state;
  private final Supplier<DaemonSettings> settings;
  private final BooleanSupplier cacheLoaded;
  private final BooleanSupplier busy;

  IdleTtlExpiry(DaemonStateCoordinator state, Supplier<DaemonSettings> settings, BooleanSupplier cacheLoaded,
      BooleanSupplier busy) {
    this.state = state;
    this.settings = settings;
    this.cacheLoaded = cacheLoaded;
    this.busy = busy;
  }

  @Override
  public Result check() {
    DaemonSettings s = settings.get();
    Duration idle = state.idleFor();
    if (idle.compareTo(s.ttl()) < 0 || busy.getAsBoolean()) {
      return Result.NONE;
    }
    String reason = "idle for " + format(idle) + " (ttl_minutes " + s.ttlMinutes() + ")";
    if (s.autoShutdownOnIdle()) {
      return new Result(Action.STOP, reason + ", auto_shutdown_on_idle");
    }
    return cacheLoaded.getAsBoolean() ? new Result(Action.DROP_CACHE, reason) : Result.NONE;
  }

  static String format(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return d.toMillis() % 1000 == 0 || s >= 10 ? s + "s" : String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    return (s / 60) + "m" + (s % 60 == 0 ? "" : " " + (s % 60) + "s");
  }
}
