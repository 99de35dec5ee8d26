package dev.cidx.cli;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.index.Languages;
import dev.cidx.protocol.Accuracy;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.search.QueryService;
import dev.cidx.search.SearchException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code cidx query}: the same options whether it runs here or, forwarded by the launcher, inside the
 * daemon; only the {@link QueryService} behind it differs.
 */
@Command(name = "query", description = "Search the repository: hybrid by default, --semantic or --fts for one kind.",
    sortOptions = false)
final class QueryCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Parameters(arity = "1..*", paramLabel = "TEXT", description = "What to look for (words are joined with spaces).")
  List<String> words;

  @Option(names = "--semantic", description = "Search by meaning only.")
  boolean semantic;

  @Option(names = "--fts", description = {"Search exact words and identifiers only (Lucene, BM25): every word must",
      "match, as its exact token or, for an identifier, all its parts in one chunk."})
  boolean fts;

  @Option(names = "--any", description = {"Full-text: any word may match (ranked by how many and how rare; words like",
      "'the' and 'of' are ignored outside quotes). Hybrid's full-text half always works this way, because",
      "fusion needs partial matches."})
  boolean any;

  @Option(names = "--per-file", paramLabel = "N", description = {"At most N results from one file (0: no limit;",
      "default " + QueryRequest.DEFAULT_PER_FILE + ")."})
  Integer perFile;

  @Option(names = {"-l", "--limit"}, paramLabel = "N", defaultValue = "10", description = "Results to show (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--language", paramLabel = "L", completionCandidates = CompletionCommand.LanguageNames.class,
      description = "Only this language (name or extension; repeatable).")
  List<String> languages = new ArrayList<>();

  @Option(names = "--exclude-language", paramLabel = "L", completionCandidates = CompletionCommand.LanguageNames.class,
      description = "Never this language (repeatable).")
  List<String> excludeLanguages = new ArrayList<>();

  @Option(names = "--path-filter", paramLabel = "GLOB", description = "Only paths matching GLOB (repeatable, OR-ed; ** crosses directories).")
  List<String> pathFilters = new ArrayList<>();

  @Option(names = "--exclude-path", paramLabel = "GLOB", description = "Never paths matching GLOB (repeatable; wins over --path-filter).")
  List<String> excludePaths = new ArrayList<>();

  @Option(names = "--min-score", paramLabel = "S", description = "Drop results scoring below S.")
  Double minScore;

  @Option(names = "--snippet-lines", paramLabel = "N", defaultValue = "5", description = "Snippet lines per result (default ${DEFAULT-VALUE}; 0 lists locations only).")
  int snippetLines;

  @Option(names = "--case-sensitive", description = "Full-text: match case exactly.")
  boolean caseSensitive;

  @Option(names = "--fuzzy", description = "Full-text: allow one typo per word (edit distance 1).")
  boolean fuzzy;

  @Option(names = "--edit-distance", paramLabel = "0-3", description = "Full-text: allow up to this many typos per word.")
  Integer editDistance;

  @Option(names = "--regex", description = "Full-text: TEXT is a regular expression matched against words (implies --fts).")
  boolean regex;

  @Option(names = "--accuracy", paramLabel = "LEVEL", defaultValue = "balanced",
      completionCandidates = CompletionCommand.AccuracyNames.class,
      description = "Semantic: fast, balanced (default) or high; how wide the vector search looks.")
  Accuracy accuracy;

  @Option(names = {"-q", "--quiet"}, description = "Print only path:start-end per result.")
  boolean quiet;

  @Option(names = "--json", description = "Print one JSON object with all results.")
  boolean json;

  @Option(names = "--no-daemon", description = "Run standalone even if the daemon is enabled (also CIDX_NO_DAEMON=1).")
  boolean noDaemon;

  @Override
  public Integer call() {
    QueryRequest request = request();
    Cli.Context ctx = root.context();
    RepoPaths repo = root.repo();
    QueryService service = ctx.daemonQueries().orElseGet(() -> {
      CidxConfig config = root.config(repo);
      return new StandaloneQueries(repo, config);
    });
    QueryResult result;
    try {
      result = service.query(request);
    } catch (SearchException e) {
      throw new UserError(e.getMessage(), e);
    }
    result.warnings().forEach(w -> ctx.err().println("cidx: " + TerminalText.line(w)));
    HitPrinter.Format format = json ? HitPrinter.Format.JSON : quiet ? HitPrinter.Format.QUIET : HitPrinter.Format.HUMAN;
    new HitPrinter(ctx.out(), ctx.terminal(), format).print(result);
    return result.results().isEmpty() ? Cli.NOT_FOUND : Cli.FOUND;
  }

  QueryRequest request() {
    SearchMode mode = semantic == fts ? SearchMode.HYBRID : semantic ? SearchMode.SEMANTIC : SearchMode.FTS;
    if (regex && !semantic) {
      mode = SearchMode.FTS;
    }
    if (fuzzy && editDistance != null && editDistance != 1) {
      throw new UserError("--fuzzy means --edit-distance 1; give one or the other");
    }
    QueryRequest.Builder b = QueryRequest.builder(String.join(" ", words))
        .mode(mode)
        .limit(limit)
        .minScore(minScore)
        .snippetLines(snippetLines)
        .caseSensitive(caseSensitive)
        .editDistance(fuzzy ? 1 : editDistance == null ? 0 : editDistance)
        .regex(regex)
        .accuracy(accuracy)
        .any(any);
    if (perFile != null) {
      b.perFile(perFile);
    }
    for (String l : languages) {
      Languages.resolve(l).forEach(b::language);
    }
    for (String l : excludeLanguages) {
      Languages.resolve(l).forEach(b::excludeLanguage);
    }
    pathFilters.forEach(b::pathFilter);
    excludePaths.forEach(b::excludePath);
    return b.build();
  }
}
