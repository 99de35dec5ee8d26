package dev.cidx.bench;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.OnnxEmbedder;
import dev.cidx.embed.TokenCounter;
import dev.cidx.index.IndexProgress;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.index.IndexSnapshot;
import dev.cidx.index.Indexer;
import dev.cidx.protocol.Hit;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;
import dev.cidx.protocol.SearchMode;
import dev.cidx.search.Searcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Retrieval quality on real code: strips the Javadoc from a copy of a JDK module, then asks for each
 * documented declaration with the first sentence of its comment. A hit is right when it is the file the
 * comment came from and its lines include the declaration. Reports MRR@10 and recall@10 per mode, and
 * semantic search with and without bge's query instruction, and the mean line span of the hits returned.
 *
 * <pre>
 * ../shared/bench/corpus java.net.http /tmp/corpus-nethttp
 * mvn -q -o test-compile &amp;&amp; java -cp "target/classes:target/test-classes:target/lib/*" \
 *     dev.cidx.bench.RetrievalEval /tmp/corpus-nethttp /tmp/eval-nethttp 300
 * </pre>
 *
 * <p>{@code -Deval.quick=true} runs only full-text {@code --any}, semantic and hybrid (the modes a ranking
 * change moves); a rerun over the same work directory re-indexes only what changed, so search-side
 * experiments cost seconds of indexing.
 */
public final class RetrievalEval {
  /** The files to strip and ask about: {@code -Deval.ext=.ts} for TypeScript, whose TSDoc has the same form. */
  private static final String EXTENSION = System.getProperty("eval.ext", ".java");
  /** {@code -Deval.perFile=N} asks every query for at most N chunks per file, as {@code --per-file N}. */
  private static final int PER_FILE = Integer.getInteger("eval.perFile", QueryRequest.DEFAULT_PER_FILE);
  private static final Pattern JAVADOC = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);

  record Case(String query, String path, int line) {}

  public static void main(String[] args) throws Exception {
    Path source = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int maxQueries = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    List<Case> cases = stripCorpus(source, work);
    Collections.shuffle(cases, new Random(42));
    if (cases.size() > maxQueries) {
      cases = cases.subList(0, maxQueries);
    }
    System.out.printf(Locale.ROOT, "corpus %s: %d queries%n", source, cases.size());

    RepoPaths repo = new RepoPaths(work);
    CidxConfig config = CidxConfig.defaults();
    config.save(repo.configFile());
    EmbeddingModel model = EmbeddingModel.byName(config.embeddingModel());
    try (Embedder embedder = OnnxEmbedder.open(model)) {
      IndexResult run = new Indexer(repo, config, () -> embedder).run(false, IndexProgress.NONE, () -> false);
      System.out.printf(Locale.ROOT, "indexed %d files, %d chunks (%d embedded) in %.1f s%n", run.filesScanned(),
          run.chunksTotal(), run.chunksEmbedded(), run.seconds());
      try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
        Searcher searcher = new Searcher(embedder, snapshot);
        Searcher plain = new Searcher(new WithoutInstruction(embedder), snapshot);
        System.out.println("| mode | MRR@10 | recall@10 | mean span (lines) | queries |");
        System.out.println("|---|---|---|---|---|");
        boolean quick = Boolean.getBoolean("eval.quick");
        if (!quick) {
          report("full-text (every word)", searcher, SearchMode.FTS, false, cases);
        }
        report("full-text, --any", searcher, SearchMode.FTS, true, cases);
        report("semantic", searcher, SearchMode.SEMANTIC, false, cases);
        if (!quick) {
          report("semantic, no query instruction", plain, SearchMode.SEMANTIC, false, cases);
        }
        report("hybrid", searcher, SearchMode.HYBRID, false, cases);
        if (!quick) {
          report("hybrid, no query instruction", plain, SearchMode.HYBRID, false, cases);
        }
      }
    }
  }

  private static void report(String name, Searcher searcher, SearchMode mode, boolean any, List<Case> cases)
      throws Exception {
    double reciprocal = 0;
    int found = 0;
    long spanLines = 0;
    int hitCount = 0;
    for (Case c : cases) {
      QueryResult result = searcher.query(QueryRequest.builder(c.query()).mode(mode).any(any).limit(10).snippetLines(0)
          .perFile(PER_FILE).build());
      List<Hit> hits = result.results();
      for (Hit h : hits) {
        spanLines += h.endLine() - h.startLine() + 1;
        hitCount++;
      }
      for (int i = 0; i < hits.size(); i++) {
        Hit h = hits.get(i);
        if (h.path().equals(c.path()) && h.startLine() <= c.line() && c.line() <= h.endLine()) {
          reciprocal += 1.0 / (i + 1);
          found++;
          break;
        }
      }
    }
    System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.1f | %d |%n", name, reciprocal / cases.size(),
        (double) found / cases.size(), hitCount == 0 ? 0.0 : (double) spanLines / hitCount, cases.size());
  }

  /** Copies every source file ({@link #EXTENSION}) without its doc comments; returns one case per documented declaration. */
  static List<Case> stripCorpus(Path source, Path work) throws IOException {
    List<Case> cases = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(source)) {
      files = s.filter(p -> p.toString().endsWith(EXTENSION) && !p.toString().endsWith(".d.ts")
          && !p.toString().contains("/.git/")).sorted().toList();
    }
    for (Path file : files) {
      String rel = source.relativize(file).toString().replace('\\', '/');
      String text = Files.readString(file, StandardCharsets.UTF_8);
      StringBuilder out = new StringBuilder();
      List<String> pendingQueries = new ArrayList<>();
      List<Integer> pendingAt = new ArrayList<>();
      Matcher m = JAVADOC.matcher(text);
      int last = 0;
      while (m.find()) {
        out.append(text, last, m.start());
        String sentence = firstSentence(m.group(1));
        if (sentence != null) {
          pendingQueries.add(sentence);
          pendingAt.add(out.length());
        }
        last = m.end();
      }
      out.append(text.substring(last));
      String stripped = out.toString();
      for (int i = 0; i < pendingQueries.size(); i++) {
        int line = declarationLine(stripped, pendingAt.get(i));
        if (line > 0) {
          cases.add(new Case(pendingQueries.get(i), rel, line));
        }
      }
      Path target = work.resolve(rel);
      Files.createDirectories(target.getParent());
      if (!Files.exists(target) || !Files.readString(target, StandardCharsets.UTF_8).equals(stripped)) {
        Files.writeString(target, stripped, StandardCharsets.UTF_8); // unchanged files keep their mtime
      }
    }
    return cases;
  }

  /** The 1-based line of the first non-blank text at or after {@code offset}. */
  private static int declarationLine(String text, int offset) {
    int i = offset;
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    if (i >= text.length()) {
      return -1;
    }
    int line = 1;
    for (int j = 0; j < i; j++) {
      if (text.charAt(j) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** The comment's first sentence as plain words, or null when it is too short to be a real question. */
  static String firstSentence(String body) {
    String plain = body.replaceAll("(?m)^\\s*\\*", " ")
        .replaceAll("\\{@(?:code|link|linkplain|literal)\\s+([^}]*)}", "$1")
        .replaceAll("<[^>]+>", " ")
        .replaceAll("\\s+", " ")
        .trim();
    int tag = plain.indexOf(" @");
    if (plain.startsWith("@")) {
      return null;
    }
    if (tag >= 0) {
      plain = plain.substring(0, tag);
    }
    int end = plain.indexOf(". ");
    String sentence = (end >= 0 ? plain.substring(0, end) : plain).replaceAll("\\.$", "").trim();
    if (sentence.split(" ").length < 4 || sentence.contains("{@inheritDoc")) {
      return null;
    }
    return sentence;
  }

  /** bge without its retrieval instruction: queries embedded exactly like documents. */
  private record WithoutInstruction(Embedder delegate) implements Embedder {
    @Override
    public EmbeddingModel model() {
      return delegate.model();
    }

    @Override
    public float[] embedQuery(String text) {
      return delegate.embedDocuments(List.of(text)).get(0);
    }

    @Override
    public List<float[]> embedDocuments(List<String> texts) {
      return delegate.embedDocuments(texts);
    }

    @Override
    public TokenCounter tokenCounter() {
      return delegate.tokenCounter();
    }

    @Override
    public void close() {}
  }
}
