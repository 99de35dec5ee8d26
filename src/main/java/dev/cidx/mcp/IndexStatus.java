package dev.cidx.mcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * {@code index_status}: what {@code cidx status --json} prints. Its {@code index} and {@code daemon}
 * sections are open objects here because the CLI still assembles them as maps (see the "one record per
 * message" part of issue 12); their fields are those of {@code cidx status --json}.
 */
record IndexStatus(
    @JsonProperty("repository") String repository,
    @JsonProperty("provider") String provider,
    @JsonProperty("model") String model,
    @JsonProperty("index") Map<String, Object> index,
    @JsonProperty("daemon") Map<String, Object> daemon,
    @JsonProperty("foreground_watch_pid") Long foregroundWatchPid) {}
