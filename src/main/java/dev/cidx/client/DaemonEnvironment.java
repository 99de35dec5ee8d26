package dev.cidx.client;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The environment the daemon starts with: what a JVM, git and cidx need, not a copy of the shell that
 * happened to start it. The daemon outlives that shell, serves every later client of the repository and
 * runs the code of whatever command it is sent; tokens and keys exported for other tools (cloud
 * credentials, {@code GITHUB_TOKEN}, a {@code SECRET_TOKEN}) have no business in it, where a crash dump,
 * {@code /proc/PID/environ} or a child process could show them.
 *
 * <p>Kept: {@code PATH} (git), {@code HOME}, {@code USER}, {@code LOGNAME}, {@code LANG}, {@code LC_*},
 * {@code TZ}, {@code TMPDIR}, {@code XDG_*} (the fallback socket directory), {@code JAVA_HOME},
 * {@code DJL_CACHE_DIR} (where the tokenizer's native library is, as in a standalone run),
 * {@code TOKENIZERS_PARALLELISM} (bin/cidx turns the tokenizer's thread pool off) and cidx's own
 * {@code CIDX_*}. To pass more, name the variables in {@code CIDX_DAEMON_ENV} (comma- or
 * space-separated). The one variable the repository's config.json names as its embedding provider's
 * key ({@code embedding.api_key_env}, default {@code OPENAI_API_KEY} / {@code VOYAGE_API_KEY}) is passed
 * as well, by that exact name: the daemon embeds with it. config.json can only name a variable ending in
 * {@code _API_KEY} ({@code EmbeddingSettings}), so it cannot pull, say, {@code GITHUB_TOKEN} in.
 */
final class DaemonEnvironment {
  /** Names of the variables a user may add to the daemon's environment (by name, never by pattern). */
  static final String EXTRA_VARIABLE = "CIDX_DAEMON_ENV";

  private static final Set<String> NAMES = Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR",
      "JAVA_HOME", "DJL_CACHE_DIR", "TOKENIZERS_PARALLELISM");
  private static final String[] PREFIXES = {"LC_", "XDG_", "CIDX_"};

  private DaemonEnvironment() {}

  /** The part of {@code parent} the daemon may see. */
  static Map<String, String> of(Map<String, String> parent) {
    return of(parent, Set.of());
  }

  /** The part of {@code parent} the daemon may see, and the variables named in {@code configured}. */
  static Map<String, String> of(Map<String, String> parent, Set<String> configured) {
    Set<String> requested = new HashSet<>(requested(parent.get(EXTRA_VARIABLE)));
    requested.addAll(configured);
    Map<String, String> env = new HashMap<>();
    for (Map.Entry<String, String> e : parent.entrySet()) {
      String name = e.getKey();
      if (NAMES.contains(name) || requested.contains(name) || hasKeptPrefix(name)) {
        env.put(name, e.getValue());
      }
    }
    return env;
  }

  private static boolean hasKeptPrefix(String name) {
    for (String prefix : PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> requested(String list) {
    if (list == null || list.isBlank()) {
      return Set.of();
    }
    return new HashSet<>(Arrays.asList(list.trim().split("[,\\s]+")));
  }
}
