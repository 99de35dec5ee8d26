package dev.cidx.testing;

import dev.cidx.protocol.Hit;
import dev.cidx.protocol.Messages.CacheStatus;
import dev.cidx.protocol.Messages.IndexProgressParams;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.protocol.Messages.StatusResult;
import dev.cidx.protocol.Messages.WatchStatus;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.RepoStatus;
import dev.cidx.protocol.SearchMode;
import java.util.List;

/**
 * Every message cidx prints or sends, with every field set that can be (no null where a value may stand):
 * the fixtures that each consumer (CLI {@code --json}, the daemon's JSON-RPC, MCP structured content and
 * output schemas) must write alike. A field added to a record shows up here as a compile error.
 */
public final class SampleMessages {
  private SampleMessages() {}

  public static final Hit HIT = new Hit("src/a.java", 3, 9, 0.5, "java", "line \u0007 \"quoted\"\n\u202e next", 4, 1, 2,
      List.of("a"), true);

  public static final QueryResult QUERY_RESULT = new QueryResult("q", SearchMode.HYBRID, 1.5, QueryResult.VIA_DAEMON,
      List.of(HIT), List.of("w"), 0.5);

  public static final IndexResult INDEX_RESULT = new IndexResult(1, 2, 3, 4, 5, 6, 7, 8.5, true, false,
      IndexResult.VIA_DAEMON);

  /** The {@code indexing} part of the status (no {@code id}: that is the notification's alone). */
  public static final IndexProgressParams INDEXING = new IndexProgressParams(null, "embedding", 22, 10, 3, 400, 120, 12.5,
      "2026-12-03T09:41:07Z", true, true, true);

  /** A {@code progress} notification. */
  public static final IndexProgressParams PROGRESS = new IndexProgressParams(7, "embedding", 22, 10, 3, 400, 120, 12.5,
      "2026-12-03T09:41:07Z", true, true, true);

  public static final WatchStatus WATCH = new WatchStatus(true, "2026-12-03T09:41:07Z", 2.0, 31, 4, true, true, 4, 1,
      "2026-12-03T09:52:10Z", INDEX_RESULT, "disk full");

  public static final CacheStatus CACHE = new CacheStatus(true, "bge-small-en-v1.5", 84L, 23L, "segments_3",
      "2026-12-03T09:41:00Z", 812.5, 1, 1, 0);

  public static final StatusResult STATUS = new StatusResult(true, 4242, "0.1.0", 9, "idle", "2026-12-03T09:40:00Z", 61.5,
      "/r/.code-indexer/daemon.sock", "/r", "2026-12-03T09:41:00Z", 1.5, 1, 2, 30, 20, 1, 3.5, 9.25, 40.1, 64.0, 10.0,
      true, 60.0, "idle for 10 min", CACHE, INDEXING, WATCH);

  public static final RepoStatus REPO_STATUS_RUNNING = new RepoStatus("/r", "local", "bge-small-en-v1.5",
      new RepoStatus.IndexSummary(true, 23, 84, 80, 0.95, "local", "bge-small-en-v1.5", 384, "2026-12-03T09:40:00Z",
          123456L, 789L),
      new RepoStatus.Running(true, STATUS), 4343L);

  public static final RepoStatus REPO_STATUS_ABSENT = new RepoStatus("/r", "openai", "text-embedding-3-small",
      RepoStatus.IndexSummary.none(0), new RepoStatus.Absent(false, new RepoStatus.NoDaemon("/r/.code-indexer/daemon.sock",
          "/r")), null);

  /** Each of the above. */
  public static List<Object> all() {
    return List.of(HIT, QUERY_RESULT, INDEX_RESULT, INDEXING, PROGRESS, WATCH, CACHE, STATUS, REPO_STATUS_RUNNING,
        REPO_STATUS_ABSENT);
  }
}
