package dev.cidx.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;

/**
 * The {@code daemon} block of config.json. Every field is optional in the file; a missing one takes its
 * default. Durations may be fractional so tests can use seconds.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DaemonSettings(
    @JsonProperty("enabled") Boolean enabled,
    @JsonProperty("ttl_minutes") Double ttlMinutes,
    @JsonProperty("auto_shutdown_on_idle") Boolean autoShutdownOnIdle,
    @JsonProperty("eviction_check_interval_seconds") Double evictionCheckIntervalSeconds,
    @JsonProperty("max_retries") Integer maxRetries,
    @JsonProperty("retry_delays_ms") List<Integer> retryDelaysMs) {

  public static final DaemonSettings DEFAULTS =
      new DaemonSettings(true, 10.0, true, 60.0, 4, List.of(100, 500, 1000, 2000));

  public DaemonSettings {
    enabled = enabled == null ? Boolean.TRUE : enabled;
    ttlMinutes = ttlMinutes == null ? 10.0 : ttlMinutes;
    autoShutdownOnIdle = autoShutdownOnIdle == null ? Boolean.TRUE : autoShutdownOnIdle;
    evictionCheckIntervalSeconds = evictionCheckIntervalSeconds == null ? 60.0 : evictionCheckIntervalSeconds;
    maxRetries = maxRetries == null ? 4 : maxRetries;
    retryDelaysMs = retryDelaysMs == null ? List.of(100, 500, 1000, 2000) : List.copyOf(retryDelaysMs);
    if (!(ttlMinutes > 0)) {
      throw new IllegalArgumentException("daemon.ttl_minutes (" + ttlMinutes + ") must be positive");
    }
    if (!(evictionCheckIntervalSeconds > 0)) {
      throw new IllegalArgumentException(
          "daemon.eviction_check_interval_seconds (" + evictionCheckIntervalSeconds + ") must be positive");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("daemon.max_retries (" + maxRetries + ") must not be negative");
    }
    for (Integer delay : retryDelaysMs) {
      if (delay == null || delay < 0) {
        throw new IllegalArgumentException("daemon.retry_delays_ms (" + retryDelaysMs + ") must hold non-negative numbers");
      }
    }
  }

  public Duration ttl() {
    return Duration.ofMillis(Math.round(ttlMinutes * 60_000));
  }

  public Duration evictionCheckInterval() {
    return Duration.ofMillis(Math.round(evictionCheckIntervalSeconds * 1000));
  }

  public DaemonSettings withEnabled(boolean on) {
    return new DaemonSettings(on, ttlMinutes, autoShutdownOnIdle, evictionCheckIntervalSeconds, maxRetries, retryDelaysMs);
  }

  public DaemonSettings withTtlMinutes(double minutes) {
    return new DaemonSettings(enabled, minutes, autoShutdownOnIdle, evictionCheckIntervalSeconds, maxRetries, retryDelaysMs);
  }
}
