package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Parameters and results of the daemon's methods ({@link Methods}), one record each, snake_case on the
 * wire. Unknown fields are ignored so an older daemon can read a newer client's request; missing fields
 * take defaults where one makes sense and are rejected by name where none does.
 */
public final class Messages {
  private Messages() {}

  /** For methods without parameters: any object is accepted. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NoParams() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HelloParams(
      @JsonProperty("client_version") String clientVersion,
      @JsonProperty("protocol_version") Integer protocolVersion) implements StreamingCodec.Params {
    public HelloParams {
      if (clientVersion == null) {
        throw new IllegalArgumentException("client_version must be given");
      }
      if (protocolVersion == null) {
        throw new IllegalArgumentException("protocol_version must be given");
      }
    }

    public static HelloParams current() {
      return new HelloParams(Version.CIDX, Version.PROTOCOL);
    }

    @Override
    public void writeTo(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("client_version", clientVersion);
      g.writeNumberField("protocol_version", protocolVersion);
      g.writeEndObject();
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HelloResult(
      @JsonProperty("cidx_version") String cidxVersion,
      @JsonProperty("protocol_version") int protocolVersion,
      @JsonProperty("pid") long pid,
      @JsonProperty("repo_root") String repoRoot,
      @JsonProperty("socket_path") String socketPath) {

    /** True when this daemon runs the same cidx and protocol version as the calling code. */
    public boolean matchesCurrentVersion() {
      return Version.CIDX.equals(cidxVersion) && Version.PROTOCOL == protocolVersion;
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PingResult(@JsonProperty("pong") boolean pong, @JsonProperty("pid") long pid) {}

  /** What the client's terminal can do, so output rendered in the daemon looks as it would locally. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TerminalInfo(
      @JsonProperty("interactive") boolean interactive,
      @JsonProperty("color") boolean color,
      @JsonProperty("columns") int columns) {
    public static final TerminalInfo PLAIN = new TerminalInfo(false, false, 100);

    public TerminalInfo {
      if (columns < 1) {
        throw new IllegalArgumentException("terminal.columns (" + columns + ") must be positive");
      }
    }
  }

  /**
   * A whole command line forwarded by the thin client, run by the daemon through the same command tree.
   * {@code client_version} and {@code protocol_version} are the client's: a daemon of another version
   * refuses the command ({@link ErrorCode#VERSION_MISMATCH}) instead of running it, which spares the
   * client a {@code hello} round trip per command. Without them (an older client, which said
   * {@code hello} first) the daemon does not check.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RunParams(
      @JsonProperty("argv") List<String> argv,
      @JsonProperty("cwd") String cwd,
      @JsonProperty("terminal") TerminalInfo terminal,
      @JsonProperty("env") Map<String, String> env,
      @JsonProperty("client_version") String clientVersion,
      @JsonProperty("protocol_version") Integer protocolVersion) implements StreamingCodec.Params {
    public RunParams {
      if (argv == null) {
        throw new IllegalArgumentException("argv must be given (an array of strings)");
      }
      for (String a : argv) { // a loop, not a stream: this runs on the client's fast path
        if (a == null) {
          throw new IllegalArgumentException("argv must not contain null");
        }
      }
      argv = List.copyOf(argv);
      if (cwd == null || cwd.isBlank()) {
        throw new IllegalArgumentException("cwd must be given (an absolute path)");
      }
      if (!cwd.startsWith("/")) {
        throw new IllegalArgumentException("cwd (" + cwd + ") must be an absolute path");
      }
      terminal = terminal == null ? TerminalInfo.PLAIN : terminal;
      env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** A command line from a client of this version. */
    public RunParams(List<String> argv, String cwd, TerminalInfo terminal, Map<String, String> env) {
      this(argv, cwd, terminal, env, Version.CIDX, Version.PROTOCOL);
    }

    /** True unless the client said which version it is and that differs from this code's. */
    public boolean clientMatchesCurrentVersion() {
      return clientVersion == null && protocolVersion == null
          || Version.CIDX.equals(clientVersion) && protocolVersion != null && Version.PROTOCOL == protocolVersion;
    }

    @Override
    public void writeTo(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeArrayFieldStart("argv");
      for (String a : argv) {
        g.writeString(a);
      }
      g.writeEndArray();
      g.writeStringField("cwd", cwd);
      g.writeObjectFieldStart("terminal");
      g.writeBooleanField("interactive", terminal.interactive());
      g.writeBooleanField("color", terminal.color());
      g.writeNumberField("columns", terminal.columns());
      g.writeEndObject();
      g.writeObjectFieldStart("env");
      for (Map.Entry<String, String> e : env.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      if (clientVersion != null) {
        g.writeStringField("client_version", clientVersion);
      }
      if (protocolVersion != null) {
        g.writeNumberField("protocol_version", protocolVersion);
      }
      g.writeEndObject();
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RunResult(@JsonProperty("exit_code") int exitCode) {}

  /** Parameters of the {@link Methods#OUTPUT} notification. {@code id} is the id of the {@code run} request. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record OutputParams(
      @JsonProperty("id") Object id,
      @JsonProperty("stream") String stream,
      @JsonProperty("text") String text) {
    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
  }

  /**
   * Parameters of {@link Methods#INDEX}: {@code clear} drops the index and its embedding cache first;
   * {@code background} lets a run this request starts go on when its client goes away (a client that
   * leaves once full text is committed), where the client that started a run otherwise takes it along.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record IndexParams(@JsonProperty("clear") boolean clear, @JsonProperty("background") boolean background)
      implements StreamingCodec.Params {
    public IndexParams(boolean clear) {
      this(clear, false);
    }

    @Override
    public void writeTo(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeBooleanField("clear", clear);
      if (background) {
        g.writeBooleanField("background", true);
      }
      g.writeEndObject();
    }
  }

  /** The answer to {@link Methods#INDEX_CANCEL}: whether a run was going, and which ("since 09:41:07, 120/400 chunks embedded"). */
  public record IndexCancelResult(@JsonProperty("cancelled") boolean cancelled, @JsonProperty("run") String run) {}

  /**
   * Where an index run stands: the params of the {@link Methods#PROGRESS} notification ({@code id} is the
   * {@code index} request's) and the {@code indexing} part of {@link StatusResult} (without {@code id}).
   * {@code phase} is {@code scanning}, {@code embedding}, {@code committing} or {@code done};
   * {@code joined} is true for a client that follows a run another client started.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IndexProgressParams(
      @JsonProperty("id") Object id,
      @JsonProperty("phase") String phase,
      @JsonProperty("files_scanned") int filesScanned,
      @JsonProperty("files_to_index") int filesToIndex,
      @JsonProperty("files_done") int filesDone,
      @JsonProperty("chunks_to_embed") int chunksToEmbed,
      @JsonProperty("chunks_embedded") int chunksEmbedded,
      @JsonProperty("elapsed_seconds") double elapsedSeconds,
      @JsonProperty("started_at") String startedAt,
      @JsonProperty("clear") boolean clear,
      @JsonProperty("joined") Boolean joined,
      @JsonProperty("text_committed") boolean textCommitted) {}

  /**
   * What one index run did: the indexer's answer, the result of {@link Methods#INDEX}, and what {@code cidx
   * index --json} prints either way. {@code filesIndexed} counts files (re)chunked in this run;
   * {@code chunksReused} chunks whose embedding was already known; {@code via}, {@code "daemon"} or
   * {@code "standalone"}, is null until the caller says where the run went ({@link #withVia}).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record IndexResult(
      @JsonProperty("files_scanned") int filesScanned,
      @JsonProperty("files_indexed") int filesIndexed,
      @JsonProperty("files_changed") int filesChanged,
      @JsonProperty("files_deleted") int filesDeleted,
      @JsonProperty("chunks_total") int chunksTotal,
      @JsonProperty("chunks_embedded") int chunksEmbedded,
      @JsonProperty("chunks_reused") int chunksReused,
      @JsonProperty("seconds") double seconds,
      @JsonProperty("committed") boolean committed,
      @JsonProperty("cancelled") boolean cancelled,
      @JsonProperty("via") String via) {
    public static final String VIA_DAEMON = "daemon";
    public static final String VIA_STANDALONE = "standalone";

    /** A run as the indexer reports it, before anyone says where it ran. */
    public IndexResult(int filesScanned, int filesIndexed, int filesChanged, int filesDeleted, int chunksTotal,
        int chunksEmbedded, int chunksReused, double seconds, boolean committed, boolean cancelled) {
      this(filesScanned, filesIndexed, filesChanged, filesDeleted, chunksTotal, chunksEmbedded, chunksReused, seconds,
          committed, cancelled, null);
    }

    /** This run as reported by the daemon or a standalone process. */
    public IndexResult withVia(String newVia) {
      return new IndexResult(filesScanned, filesIndexed, filesChanged, filesDeleted, chunksTotal, chunksEmbedded,
          chunksReused, seconds, committed, cancelled, newVia);
    }
  }

  /** Parameters of {@link Methods#WATCH_START}: the quiet time a burst of changes is gathered for. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record WatchParams(@JsonProperty("debounce_seconds") Double debounceSeconds) {
    public static final double DEFAULT_DEBOUNCE_SECONDS = 2;
    public static final double MAX_DEBOUNCE_SECONDS = 600;

    public WatchParams {
      if (debounceSeconds == null) {
        debounceSeconds = DEFAULT_DEBOUNCE_SECONDS;
      }
      if (!(debounceSeconds >= 0 && debounceSeconds <= MAX_DEBOUNCE_SECONDS)) {
        throw new IllegalArgumentException("debounce_seconds (" + debounceSeconds + ") must be between 0 and "
            + (int) MAX_DEBOUNCE_SECONDS);
      }
    }
  }

  /**
   * The daemon's watch and background updates ({@code watch_start}, {@code notify}), in {@link StatusResult}
   * and the watch methods' results. {@code active} is true while a watch runs; {@code since},
   * {@code debounce_seconds} and {@code directories} describe it and are null when none does. The rest
   * counts updates made by either since the daemon started: {@code pending_paths} wait for their debounce
   * ({@code pending_all}: the whole repository does), and {@code last_update} is the last committed one.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WatchStatus(
      @JsonProperty("active") boolean active,
      @JsonProperty("since") String since,
      @JsonProperty("debounce_seconds") Double debounceSeconds,
      @JsonProperty("directories") Integer directories,
      @JsonProperty("pending_paths") int pendingPaths,
      @JsonProperty("pending_all") boolean pendingAll,
      @JsonProperty("updating") boolean updating,
      @JsonProperty("updates") long updates,
      @JsonProperty("failures") long failures,
      @JsonProperty("last_update_at") String lastUpdateAt,
      @JsonProperty("last_update") IndexResult lastUpdate,
      @JsonProperty("last_error") String lastError) {}

  /** The result of {@link Methods#WATCH_START}: {@code started} is false when a watch already ran. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record WatchStartResult(@JsonProperty("started") boolean started, @JsonProperty("watch") WatchStatus watch) {}

  /** The result of {@link Methods#WATCH_STOP}: {@code stopped} is false when none ran; {@code watch} as it was. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record WatchStopResult(@JsonProperty("stopped") boolean stopped, @JsonProperty("watch") WatchStatus watch) {}

  /**
   * Parameters of {@link Methods#NOTIFY}: paths that changed, relative to the repository root or absolute
   * below it, files or directories. None (or an empty list) means the whole repository.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NotifyParams(@JsonProperty("paths") List<String> paths) {
    public static final int MAX_PATHS = 100_000;

    public NotifyParams {
      paths = paths == null ? List.of() : List.copyOf(paths);
      if (paths.size() > MAX_PATHS) {
        throw new IllegalArgumentException("paths: " + paths.size() + " given, at most " + MAX_PATHS
            + "; send none to update the whole repository");
      }
    }
  }

  /** The result of {@link Methods#NOTIFY}: paths queued, and paths ignored because they lie outside the root. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NotifyResult(@JsonProperty("accepted") int accepted, @JsonProperty("ignored") int ignored) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ClearCacheResult(@JsonProperty("cleared") boolean cleared) {}

  /**
   * Parameters of {@link Methods#SHUTDOWN}. With {@code unless_writing}, a daemon that is writing the index
   * refuses with {@link ErrorCode#WRITING} instead of stopping: a client replacing a daemon of another
   * version asks this way, so it never cancels another client's run or watch. Daemons before this field
   * ignore it (and stop); absent, it is false, as {@code cidx daemon stop} wants.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ShutdownParams(@JsonProperty("unless_writing") boolean unlessWriting) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ShutdownResult(@JsonProperty("stopping") boolean stopping) {}

  /**
   * The cache part of {@link StatusResult}. {@code chunks}, {@code files} and {@code indexCommit} describe
   * the loaded index and are null when nothing is loaded or the index does not report them.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CacheStatus(
      @JsonProperty("loaded") boolean loaded,
      @JsonProperty("model") String model,
      @JsonProperty("chunks") Long chunks,
      @JsonProperty("files") Long files,
      @JsonProperty("index_commit") String indexCommit,
      @JsonProperty("loaded_at") String loadedAt,
      @JsonProperty("load_ms") Double loadMs,
      @JsonProperty("index_loads") long indexLoads,
      @JsonProperty("model_loads") long modelLoads,
      @JsonProperty("evictions") long evictions) {}

  /**
   * Everything {@code cidx daemon status} shows. Times are ISO-8601 instants; durations in seconds.
   * {@code indexing} is the index run in progress, null when none runs; {@code watch} the watch and
   * background updates.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record StatusResult(
      @JsonProperty("running") boolean running,
      @JsonProperty("pid") long pid,
      @JsonProperty("version") String version,
      @JsonProperty("protocol_version") int protocolVersion,
      @JsonProperty("state") String state,
      @JsonProperty("started_at") String startedAt,
      @JsonProperty("uptime_seconds") double uptimeSeconds,
      @JsonProperty("socket_path") String socketPath,
      @JsonProperty("repo_root") String repoRoot,
      @JsonProperty("last_access") String lastAccess,
      @JsonProperty("idle_seconds") double idleSeconds,
      @JsonProperty("requests_in_flight") int requestsInFlight,
      @JsonProperty("open_connections") int openConnections,
      @JsonProperty("requests_served") long requestsServed,
      @JsonProperty("queries_served") long queriesServed,
      @JsonProperty("errors") long errors,
      @JsonProperty("query_p50_ms") Double queryP50Ms,
      @JsonProperty("query_p99_ms") Double queryP99Ms,
      @JsonProperty("heap_used_mb") double heapUsedMb,
      @JsonProperty("heap_committed_mb") double heapCommittedMb,
      @JsonProperty("ttl_minutes") double ttlMinutes,
      @JsonProperty("auto_shutdown_on_idle") boolean autoShutdownOnIdle,
      @JsonProperty("eviction_check_interval_seconds") double evictionCheckIntervalSeconds,
      @JsonProperty("last_expiry_reason") String lastExpiryReason,
      @JsonProperty("cache") CacheStatus cache,
      @JsonProperty("indexing") IndexProgressParams indexing,
      @JsonProperty("watch") WatchStatus watch) {}
}
