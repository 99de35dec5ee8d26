package dev.cidx.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cidx.protocol.Messages.WatchStopResult;

/**
 * What the daemon-control commands print with {@code --json}: one record per command, so each field is
 * named once and a renamed one fails to compile where it is used. Absent values print as {@code null},
 * as scripts reading these objects expect every field to be there.
 */
final class ControlResults {
  private ControlResults() {}

  /** {@code cidx daemon start --json}. */
  record DaemonStarted(
      @JsonProperty("running") boolean running,
      @JsonProperty("pid") long pid,
      @JsonProperty("already_running") boolean alreadyRunning,
      @JsonProperty("socket_path") String socketPath,
      @JsonProperty("repo_root") String repoRoot) {}

  /** {@code cidx daemon restart --json}: {@code previousPid} is null when none was running. */
  record DaemonRestarted(
      @JsonProperty("running") boolean running,
      @JsonProperty("pid") long pid,
      @JsonProperty("previous_pid") Long previousPid,
      @JsonProperty("socket_path") String socketPath,
      @JsonProperty("repo_root") String repoRoot) {}

  /** {@code cidx daemon stop --json}: {@code pid} of the daemon stopped, null when none ran. */
  record DaemonStopped(
      @JsonProperty("running") boolean running,
      @JsonProperty("stopped") boolean stopped,
      @JsonProperty("pid") Long pid) {}

  /** {@code cidx clear-cache --json}: {@code pid} null when no daemon runs. */
  record CacheCleared(
      @JsonProperty("running") boolean running,
      @JsonProperty("pid") Long pid,
      @JsonProperty("cleared") boolean cleared) {}

  /** {@code cidx watch --stop --json}: the daemon's answer (null without a daemon) and a foreground watch's pid. */
  record WatchStopped(
      @JsonProperty("stopped") boolean stopped,
      @JsonProperty("daemon") WatchStopResult daemon,
      @JsonProperty("foreground_pid") Long foregroundPid) {}
}
