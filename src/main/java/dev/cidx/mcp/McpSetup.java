package dev.cidx.mcp;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.protocol.RepoStatus;
import dev.cidx.search.QueryService;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the MCP server needs from the command line that starts it, handed in so that this package does
 * not depend on {@code cli}: the repository and its config, whether to go through the daemon, the
 * daemon's command line (for starting one on demand), the standalone query path ({@code cidx query
 * --no-daemon}'s), and {@code cidx status --json}'s report.
 */
public record McpSetup(RepoPaths repo, CidxConfig config, boolean useDaemon, List<String> daemonCommand,
    QueryService standaloneQueries, Supplier<RepoStatus> status) {
  public McpSetup {
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(config, "config");
    daemonCommand = List.copyOf(daemonCommand);
    Objects.requireNonNull(standaloneQueries, "standaloneQueries");
    Objects.requireNonNull(status, "status");
  }
}
