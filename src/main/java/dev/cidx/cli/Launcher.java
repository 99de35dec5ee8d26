package dev.cidx.cli;

import dev.cidx.client.DaemonRpcException;
import dev.cidx.client.DaemonStarter;
import dev.cidx.client.DaemonTimeoutException;
import dev.cidx.client.DaemonUnavailableException;
import dev.cidx.config.ConfigException;
import dev.cidx.config.DaemonSettings;
import dev.cidx.config.RepoLocator;
import dev.cidx.config.RepoPaths;
import dev.cidx.config.UnsafePathException;
import dev.cidx.protocol.Messages.RunParams;
import dev.cidx.protocol.Messages.TerminalInfo;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process entry point of {@code bin/cidx}.
 *
 * <p><b>The fast path</b>, for {@code cidx query ...}: find the repository, read its config and, when the
 * daemon is enabled, forward the whole command line to the daemon (starting it if needed), print what it
 * prints and exit with its exit code. It reads only what it needs for that from the arguments: the
 * command name, {@code --path DIR} (or {@code --path=DIR}) and {@code --no-daemon}; the daemon parses
 * the rest with the same command tree as the standalone path. It loads no picocli, Lucene or ONNX class,
 * nor Jackson databind: config.json's daemon block and the protocol are read and written with
 * jackson-core's streaming API ({@link DaemonSettings#load}, {@code protocol.StreamingCodec}), and a warm
 * query is one request on one connection. That is what makes it fast; {@code LauncherFastPathTest}
 * guards it.
 *
 * <p>Everything else, and any query when there is no repository, the daemon is disabled
 * ({@code daemon.enabled: false}, {@code --no-daemon}, {@code CIDX_NO_DAEMON=1}) or cannot be reached,
 * runs in this process through {@link Cli#run}. An unreachable daemon costs one line on stderr.
 * {@code cidx index} takes that path too and goes to the daemon from there ({@link IndexCommand}): it
 * lasts long enough that picocli's start-up does not matter, and it speaks the {@code index} method.
 */
public final class Launcher {
  private static final String DAEMON_MAIN = "dev.cidx.cli.DaemonMain";
  private static final String SELECTOR_PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
  /** What {@code sun.nio.ch.DefaultSelectorProvider} makes on Linux, from JDK 11 to at least 25. */
  private static final String LINUX_SELECTOR_PROVIDER = "sun.nio.ch.EPollSelectorProvider";

  private Launcher() {}

  public static void main(String[] args) {
    nameTheSelectorProvider();
    System.exit(launch(List.of(args), Path.of("").toAbsolutePath(), System.getenv()));
  }

  static int launch(List<String> argv, Path cwd, Map<String, String> env) {
    if (!DaemonAllowList.permits(commandName(argv)) || argv.contains("--no-daemon") || "1".equals(env.get("CIDX_NO_DAEMON"))) {
      return Standalone.run(argv, cwd, env);
    }
    Optional<RepoPaths> repo = findRepo(argv, cwd, env);
    if (repo.isEmpty()) {
      return Standalone.run(argv, cwd, env); // it explains that there is no repository
    }
    DaemonSettings settings;
    try {
      settings = DaemonSettings.load(repo.get().configFile());
    } catch (ConfigException e) {
      return Standalone.run(argv, cwd, env); // it reports the config error
    }
    if (!settings.enabled()) {
      return Standalone.run(argv, cwd, env);
    }
    CountingOutputStream out = new CountingOutputStream(new FileOutputStream(FileDescriptor.out));
    CountingOutputStream err = new CountingOutputStream(new FileOutputStream(FileDescriptor.err));
    String problem;
    String details = "";
    try {
      DaemonStarter starter = new DaemonStarter(repo.get(), settings, daemonCommand(repo.get()));
      return starter.run(runParams(argv, cwd, repo.get(), env), out, err);
    } catch (DaemonTimeoutException e) {
      // Not run again standalone: the query that hung the daemon would hang this process too.
      System.err.println("cidx: the daemon did not answer within " + settings.clientQueryTimeout().toSeconds()
          + " s and the query was abandoned; see " + repo.get().logFile());
      return 2;
    } catch (DaemonUnavailableException e) {
      problem = "daemon unavailable (" + firstLine(e.getMessage()) + ")";
      details = afterFirstLine(e.getMessage()); // the end of daemon.log when the daemon died on us
    } catch (DaemonRpcException e) {
      problem = "daemon error (" + firstLine(e.getMessage()) + ")";
    } catch (UnsafePathException e) {
      if (e.use() == UnsafePathException.Use.WRITE) {
        System.err.println("cidx: " + TerminalText.line(e.getMessage())); // a planted link: nothing was written
        return 2;
      }
      problem = firstLine(e.getMessage()); // a socket or daemon not the user's: nothing was sent to it
    }
    boolean started = out.count > 0 || err.count > 0;
    // Part of the output is printed already: running again would print it twice.
    System.err.println("cidx: " + TerminalText.line(problem) + (started ? " after the command had started; see " + repo.get().logFile()
        : "; running standalone"));
    if (!details.isEmpty()) {
      System.err.println(TerminalText.lines(details));
    }
    return started ? 2 : Standalone.run(argv, cwd, env);
  }

  /**
   * The request for the daemon. The daemon runs a command only in a directory inside its repository;
   * from outside (a query with {@code --path}), the request names the repository's root and carries
   * {@code --path} as an absolute path, which means the same from there.
   */
  static RunParams runParams(List<String> argv, Path cwd, RepoPaths repo, Map<String, String> env) {
    Path dir = cwd.normalize();
    List<String> args = argv;
    if (!dir.startsWith(repo.root())) {
      dir = repo.root();
      args = absolutePaths(argv, cwd);
    }
    return new RunParams(args, dir.toString(), terminal(), forwardedEnv(env));
  }

  /** {@code argv} with each {@code --path DIR} / {@code --path=DIR} (before a {@code --}) resolved against {@code cwd}. */
  static List<String> absolutePaths(List<String> argv, Path cwd) {
    List<String> out = new ArrayList<>(argv.size());
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.equals("--")) {
        out.addAll(argv.subList(i, argv.size()));
        break;
      } else if (a.equals("--path") && i + 1 < argv.size()) {
        out.add(a);
        out.add(cwd.resolve(argv.get(++i)).normalize().toString());
      } else if (a.startsWith("--path=")) {
        out.add("--path=" + cwd.resolve(a.substring("--path=".length())).normalize());
      } else {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * Spares the client a scan of the class path. The first socket channel asks
   * {@code SelectorProvider.provider()}, which, unless the documented property names a provider, looks
   * for one with a {@code ServiceLoader} in every jar on the class path: about 40 ms with cidx's jars,
   * as much as the rest of a warm query. On Linux this names the provider the JDK would pick anyway; on
   * other systems, when the property is set already, or when this JDK lacks the class, the scan stays.
   */
  static void nameTheSelectorProvider() {
    if (System.getProperty(SELECTOR_PROVIDER_PROPERTY) != null || !"Linux".equals(System.getProperty("os.name"))) {
      return;
    }
    try {
      Class.forName(LINUX_SELECTOR_PROVIDER, false, null); // present, not initialised
      System.setProperty(SELECTOR_PROVIDER_PROPERTY, LINUX_SELECTOR_PROVIDER);
    } catch (ClassNotFoundException e) {
      // another JDK layout: keep the scan
    }
  }

  static String afterFirstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? "" : message.substring(nl + 1).stripTrailing();
  }

  /** The first argument that is neither an option nor the value of {@code --path}: the command's name. */
  static String commandName(List<String> argv) {
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.equals("--path")) {
        i++;
      } else if (a.equals("--")) {
        return i + 1 < argv.size() ? argv.get(i + 1) : null;
      } else if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
  }

  /** The repository of {@code --path DIR} / {@code --path=DIR} (the last one wins), else of the working directory. */
  static Optional<RepoPaths> findRepo(List<String> argv, Path cwd) {
    return findRepo(argv, cwd, System.getenv());
  }

  static Optional<RepoPaths> findRepo(List<String> argv, Path cwd, Map<String, String> env) {
    Path start = cwd;
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.equals("--path") && i + 1 < argv.size()) {
        start = cwd.resolve(argv.get(++i));
      } else if (a.startsWith("--path=")) {
        start = cwd.resolve(a.substring("--path=".length()));
      }
    }
    // Silent: the path that acts on the repository (the daemon's command tree, or the standalone one)
    // looks again and prints any "ignoring a foreign .code-indexer" line once, where the user sees it.
    return RepoLocator.find(start, env, RepoLocator.NO_WARNINGS);
  }

  /**
   * This JVM's java binary and class path running {@code DaemonMain}. Extra JVM options for the daemon
   * may be given in {@code CIDX_DAEMON_JAVA_OPTS} (split at spaces), after cidx's own, so they win.
   */
  static List<String> daemonCommand(RepoPaths repo) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // An idle daemon should hold little: after the cache is dropped (and collected), shrink the heap
    // until at most 30 % of it is free, rather than the default 70 %.
    cmd.add("-XX:MinHeapFreeRatio=10");
    cmd.add("-XX:MaxHeapFreeRatio=30");
    // A fatal error report (a crash in native code) goes beside daemon.log, in the private data
    // directory, not into the working tree the daemon runs in, where git would show it.
    cmd.add("-XX:ErrorFile=" + repo.dataDir().resolve("hs_err_pid%p.log"));
    ownJar().ifPresent(jar -> cmd.addAll(daemonArchive(Path.of(cmd.get(0)), jar)));
    String opts = System.getenv("CIDX_DAEMON_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DAEMON_MAIN);
    cmd.add("--repo");
    cmd.add(repo.root().toString());
    return cmd;
  }

  /**
   * Class-data sharing for the daemon: the archive {@code mvn package} dumps beside cidx.jar
   * ({@code cidx-daemon.jsa}, see pom.xml) holds the classes a daemon loads from its start through its
   * first queries, parsed and verified once; a cold query comes about a fifth sooner. Only for the java
   * that made it (named in {@code cidx.jsa.java}, as for the client's archive in bin/cidx): another JVM
   * would reject it and then start with no sharing at all. Nothing when cidx does not run from its jar.
   */
  static List<String> daemonArchive(Path java, Path jar) {
    Path archive = jar.resolveSibling("cidx-daemon.jsa");
    Path madeBy = jar.resolveSibling("cidx.jsa.java");
    try {
      if (Files.isRegularFile(archive) && Files.isRegularFile(madeBy)
          && Files.isSameFile(Path.of(Files.readString(madeBy).trim()), java)) {
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
      }
    } catch (IOException | RuntimeException e) {
      // no usable archive: the daemon loads its classes from the jars
    }
    return List.of();
  }

  /** The jar cidx runs from; empty when it runs from a directory of classes (tests, an IDE). */
  private static Optional<Path> ownJar() {
    try {
      Path location = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(location) ? Optional.of(location) : Optional.empty();
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The variables a forwarded command may read: cidx's own ({@code CIDX_DEBUG}, ...). The terminal's
   * traits travel separately; the rest of the environment (tokens, keys) has no business in a
   * long-lived process, nor in every request.
   */
  static Map<String, String> forwardedEnv(Map<String, String> env) {
    Map<String, String> forwarded = new HashMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("CIDX_")) {
        forwarded.put(e.getKey(), e.getValue());
      }
    }
    return forwarded;
  }

  private static TerminalInfo terminal() {
    Terminal t = Terminal.detect();
    return new TerminalInfo(t.interactive(), t.color(), Math.max(1, t.columns()));
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unknown reason";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** Counts what passes through, so a failure after output began is not retried standalone. */
  private static final class CountingOutputStream extends OutputStream {
    private final OutputStream out;
    private long count;

    CountingOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      count++;
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count += len;
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }

  /**
   * The in-process path. A class of its own so that the fast path never loads {@link Cli} (and with it
   * picocli): the JVM resolves it only when this method first runs.
   */
  static final class Standalone {
    private Standalone() {}

    static int run(List<String> argv, Path cwd, Map<String, String> env) {
      PrintStream out = System.out;
      PrintStream err = System.err;
      return Cli.run(argv, new Cli.Context(cwd, env, Terminal.detect(), out, err, Optional.empty()));
    }
  }
}
