package dev.cidx.search;

import dev.cidx.index.ChunkQueries;
import dev.cidx.index.CodeAnalyzer;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MultiTermQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RegexpQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Full-text search over chunk documents with BM25.
 *
 * <p>Query syntax: whitespace-separated words and {@code "quoted phrases"}. A full-text query
 * ({@code --fts}) requires every word, as grep and code hosts do: a word matches its exact token or,
 * for a compound identifier, all of its parts in the same chunk. With {@code any}, and always in the
 * full-text half of a hybrid query, the words are OR-ed instead, so that chunks with more and rarer
 * words rank higher and fusion gets partial matches. Each word is analyzed like the indexed text by
 * {@link CodeAnalyzer}, into the word itself and, for a compound identifier, its parts, which give
 * three kinds of clause:
 * <ul>
 *   <li>the word as typed, boosted by {@value #WORD_BOOST}: an identifier the user spelled exactly is
 *       the strongest evidence there is;
 *   <li>the parts as a phrase, boosted by {@value #PARTS_PHRASE_BOOST}: the same identifier spelled
 *       another way ({@code parse_header_line} for {@code parseHeaderLine}, or the words in prose);
 *   <li>each part alone, boosted by {@value #PART_BOOST}: a related identifier that shares some parts
 *       earns partial credit but never outranks the exact one.
 * </ul>
 * Each word and part also scores, optionally, when the chunk's file name contains it
 * ({@value #FILE_NAME_BOOST}× its boost), in either mode: a chunk of {@code LocalCache.java} ranks above
 * a chunk elsewhere that merely uses {@code LocalCache}. The any-word form drops English function words
 * ({@link #STOP_WORDS}). With {@code edit_distance} the words and parts match fuzzily (phrases stay exact); with
 * {@code case_sensitive} the case-sensitive field is searched; with {@code regex} each
 * whitespace-separated piece is a regular expression (Lucene syntax, without its optional operators)
 * that must match a whole token or part, e.g. {@code parse.*Line} matches {@code parseHeaderLine};
 * every piece must match unless {@code any} is set.
 *
 * <p>Stateless and thread-safe.
 */
public final class FullTextSearch {
  static final float WORD_BOOST = 2f;
  static final float PARTS_PHRASE_BOOST = 1f;
  static final float PART_BOOST = 0.5f;
  /**
   * A word or part of the query found in a chunk's file name ({@link ChunkQueries#fileNameHas}) scores this
   * much on top of its own boost: naming a type names its file. Measured (BENCHMARKS.md, issue 10): 1
   * beats 2 on both benchmarks; the directories and the context line as fields of their own did not help.
   */
  static final float FILE_NAME_BOOST = 1f;
  /**
   * English function words, dropped from any-word queries (not from phrases, and not when nothing else
   * is left): questions are sentences, and in code these words are rare enough (comments aside) for BM25
   * to weigh a chunk that happens to say "the" above one that has the query's real words.
   */
  static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "but", "by", "for",
      "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
      "there", "these", "they", "this", "to", "was", "will", "with", "which", "when", "whether", "from", "its",
      "has", "have", "been", "can", "may", "should", "would", "could", "than", "so", "do", "does", "we", "our",
      "you", "your", "how", "what", "where", "who", "why", "i", "me", "my");
  /** Longer queries get no file-name clauses: a pasted page of text would run out of Lucene clauses. */
  static final int MAX_NAME_WORDS = 64;
  /** How many similar terms one fuzzy word may expand to: Lucene's default, which keeps queries fast. */
  static final int FUZZY_EXPANSIONS = 50;

  private static final Analyzer LOWERCASE = CodeAnalyzer.caseInsensitive();
  private static final Analyzer CASED = CodeAnalyzer.caseSensitive();

  private FullTextSearch() {}

  /**
   * The best {@code n} chunk documents for {@code request}, best first; {@code filter} (nullable) is
   * applied inside the query, so that {@code n} results come back whenever that many match.
   */
  public static List<ScoredDoc> search(IndexSearcher searcher, QueryRequest request, Query filter, int n)
      throws SearchException {
    return search(searcher, request, filter, n, QueryDeadline.NONE);
  }

  /** {@link #search(IndexSearcher, QueryRequest, Query, int)}, stopped with a timeout error at {@code deadline}. */
  static List<ScoredDoc> search(IndexSearcher shared, QueryRequest request, Query filter, int n,
      QueryDeadline deadline) throws SearchException {
    if (n < 1) {
      throw new IllegalArgumentException("n (" + n + ") must be positive");
    }
    deadline.check();
    IndexSearcher searcher = deadline == QueryDeadline.NONE ? shared : timeLimited(shared, deadline);
    try {
      try {
        Query text = request.regex() ? regexQuery(request, MultiTermQuery.SCORING_BOOLEAN_REWRITE)
            : textQuery(request);
        return top(searcher, restrict(text, filter), n, deadline);
      } catch (IndexSearcher.TooManyClauses e) {
        if (!request.regex()) {
          throw new SearchException(SearchException.Reason.BAD_QUERY, "query '" + request.query()
              + "' has too many words: the limit is " + IndexSearcher.getMaxClauseCount() + " terms", e);
        }
        // A regex matching too many terms to score each one: every match then scores the same.
        return top(searcher, restrict(regexQuery(request, MultiTermQuery.CONSTANT_SCORE_BLENDED_REWRITE),
            filter), n, deadline);
      }
    } catch (IOException e) {
      throw new SearchException(SearchException.Reason.DAMAGED_INDEX,
          "reading the full-text index failed (" + e.getMessage() + "): run cidx index to rebuild it", e);
    }
  }

  private static Query restrict(Query text, Query filter) {
    BooleanQuery.Builder query = new BooleanQuery.Builder()
        .add(text, Occur.MUST)
        .add(ChunkQueries.chunks(), Occur.FILTER);
    if (filter != null) {
      query.add(filter, Occur.FILTER);
    }
    return query.build();
  }

  /**
   * A searcher over the same reader that stops scoring at {@code deadline}. A timeout is per searcher in
   * Lucene, so each limited query gets its own: construction only lists the segments, and the query cache
   * and similarity are shared.
   */
  private static IndexSearcher timeLimited(IndexSearcher shared, QueryDeadline deadline) {
    IndexSearcher searcher = new IndexSearcher(shared.getIndexReader());
    searcher.setSimilarity(shared.getSimilarity());
    searcher.setQueryCache(shared.getQueryCache());
    searcher.setQueryCachingPolicy(shared.getQueryCachingPolicy());
    QueryTimeout timeout = deadline::expired;
    searcher.setTimeout(timeout);
    return searcher;
  }

  private static List<ScoredDoc> top(IndexSearcher searcher, Query query, int n, QueryDeadline deadline)
      throws IOException, SearchException {
    ScoreDoc[] hits = searcher.search(query, n).scoreDocs;
    if (searcher.timedOut()) {
      throw deadline.timedOut(); // Lucene stops scoring and returns what it has: a partial answer is not one
    }
    List<ScoredDoc> docs = new ArrayList<>(hits.length);
    for (ScoreDoc hit : hits) {
      docs.add(new ScoredDoc(hit.doc, hit.score));
    }
    return docs;
  }

  /** True when every word must match: full-text mode without {@code any} (see the class comment). */
  static boolean everyWord(QueryRequest request) {
    return request.mode() == SearchMode.FTS && !request.any();
  }

  /** The scoring part of a non-regex query, without the kind and filter restrictions. */
  static Query textQuery(QueryRequest request) throws SearchException {
    String field = field(request);
    int edits = request.editDistance();
    Occur word = everyWord(request) ? Occur.MUST : Occur.SHOULD;
    BooleanQuery.Builder query = new BooleanQuery.Builder();
    int clauses = 0;
    List<Segment> segments = Segment.parse(request.query());
    if (word == Occur.SHOULD) {
      List<Segment> meaningful = segments.stream().filter(seg -> seg.phrase() || !isStopWord(seg.text())).toList();
      segments = meaningful.isEmpty() ? segments : meaningful;
    }
    // The file name is indexed in lowercase only.
    boolean names = !request.caseSensitive() && segments.size() <= MAX_NAME_WORDS;
    for (Segment segment : segments) {
      List<Token> tokens = analyze(request.caseSensitive() ? CASED : LOWERCASE, segment.text());
      if (tokens.isEmpty()) {
        continue;
      }
      if (segment.phrase()) {
        query.add(new BoostQuery(phrase(field, tokens), WORD_BOOST), word);
        clauses++;
        continue;
      }
      if (word == Occur.MUST) {
        for (List<Token> group : words(tokens)) {
          query.add(wordOrAllParts(field, group, edits), Occur.MUST);
          clauses++;
          for (Token token : names ? group : List.<Token>of()) {
            addFileNameClause(query, token);
          }
        }
      } else {
        for (Token token : tokens) {
          float boost = token.part() ? PART_BOOST : WORD_BOOST;
          query.add(new BoostQuery(term(field, token.text(), edits), boost), Occur.SHOULD);
          clauses++;
          if (names) {
            addFileNameClause(query, token);
          }
        }
      }
      if (tokens.get(tokens.size() - 1).position() > tokens.get(0).position()) {
        query.add(new BoostQuery(phrase(field, tokens), PARTS_PHRASE_BOOST), Occur.SHOULD); // a bonus only
        clauses++;
      }
    }
    if (clauses == 0) {
      throw new SearchException(SearchException.Reason.BAD_QUERY, "query '" + request.query()
          + "' has nothing to search for: full-text search matches words of letters, digits, _ and $");
    }
    return query.build();
  }

  /** Whether {@code word}, without punctuation ("the," or "(of"), is one of the {@link #STOP_WORDS}. */
  static boolean isStopWord(String word) {
    return STOP_WORDS.contains(word.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_$]", ""));
  }

  /**
   * An optional clause for {@code token} in the file name, weighted like the token itself. Always exact:
   * a fuzzy word would lift every file whose name is near it ({@code parse} and {@code Parser.java})
   * above the chunks that really contain the word.
   */
  private static void addFileNameClause(BooleanQuery.Builder query, Token token) {
    float boost = (token.part() ? PART_BOOST : WORD_BOOST) * FILE_NAME_BOOST;
    query.add(new BoostQuery(ChunkQueries.fileNameHas(token.text()), boost), Occur.SHOULD);
  }

  /** The tokens grouped by word: each word followed by its parts, if it has any. */
  private static List<List<Token>> words(List<Token> tokens) {
    List<List<Token>> groups = new ArrayList<>();
    for (Token token : tokens) {
      if (!token.part() || groups.isEmpty()) {
        groups.add(new ArrayList<>());
      }
      groups.get(groups.size() - 1).add(token);
    }
    return groups;
  }

  /**
   * One required word: its exact token, or every one of its parts in the same chunk. A chunk holding
   * the exact token also holds its parts (the analyzer indexes both), so it scores on both sides and
   * ranks above one that only has the parts.
   */
  private static Query wordOrAllParts(String field, List<Token> group, int edits) {
    Query exact = new BoostQuery(term(field, group.get(0).text(), edits), WORD_BOOST);
    if (group.size() == 1) {
      return exact;
    }
    BooleanQuery.Builder parts = new BooleanQuery.Builder();
    for (Token part : group.subList(1, group.size())) {
      parts.add(new BoostQuery(term(field, part.text(), edits), PART_BOOST), Occur.MUST);
    }
    return new BooleanQuery.Builder()
        .add(exact, Occur.SHOULD)
        .add(parts.build(), Occur.SHOULD)
        .build();
  }

  /** A phrase over the tokens' positions, using the parts of compound words rather than the words. */
  private static Query phrase(String field, List<Token> tokens) {
    PhraseQuery.Builder phrase = new PhraseQuery.Builder();
    int first = tokens.get(0).position();
    Term only = null;
    int added = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      boolean hasParts = !token.part() && i + 1 < tokens.size() && tokens.get(i + 1).part();
      if (!hasParts) {
        only = new Term(field, token.text());
        phrase.add(only, token.position() - first);
        added++;
      }
    }
    return added == 1 ? new TermQuery(only) : phrase.build();
  }

  /**
   * One term, exact or within {@code edits}. A term keeps at least one of its own characters (edits
   * are capped at its length minus one), else a short part like {@code 8} would match every short term.
   */
  private static Query term(String field, String text, int edits) {
    int allowed = Math.min(edits, text.codePointCount(0, text.length()) - 1);
    Term term = new Term(field, text);
    if (allowed <= 0) {
      return new TermQuery(term);
    }
    if (allowed <= 2) {
      return new FuzzyQuery(term, allowed, 0, FUZZY_EXPANSIONS, true);
    }
    return new LevenshteinQuery(term, allowed, FUZZY_EXPANSIONS);
  }

  private static Query regexQuery(QueryRequest request, MultiTermQuery.RewriteMethod rewrite)
      throws SearchException {
    String field = field(request);
    int matchFlags = request.caseSensitive() ? 0 : RegExp.ASCII_CASE_INSENSITIVE;
    Occur piecesOccur = everyWord(request) ? Occur.MUST : Occur.SHOULD;
    BooleanQuery.Builder query = new BooleanQuery.Builder();
    for (String piece : request.query().strip().split("\\s+")) {
      try {
        query.add(new RegexpQuery(new Term(field, piece), RegExp.NONE, matchFlags,
            RegexpQuery.DEFAULT_PROVIDER, Operations.DEFAULT_DETERMINIZE_WORK_LIMIT, rewrite), piecesOccur);
      } catch (TooComplexToDeterminizeException | IllegalArgumentException e) {
        throw TokenRegex.badPiece(piece, e);
      }
    }
    return query.build();
  }

  private static String field(QueryRequest request) {
    return ChunkQueries.contentField(request.caseSensitive());
  }

  /**
   * The words of {@code chunkText} that {@code request} matched, as spelled in the text and in order of
   * first appearance, for highlighting. A part is listed only when its whole identifier did not match.
   */
  public static List<String> matchedTerms(String chunkText, QueryRequest request) {
    try {
      return matchedTerms(chunkText, matcher(request), QueryDeadline.NONE);
    } catch (SearchException e) {
      throw new AssertionError("no deadline to pass", e);
    }
  }

  /**
   * {@link #matchedTerms(String, QueryRequest)} with a matcher made once per query by {@link #matcher},
   * checking {@code deadline} as it goes: a chunk has thousands of tokens and a fuzzy query with
   * thousands of words compares each token with each word.
   */
  static List<String> matchedTerms(String chunkText, Predicate<String> matcher, QueryDeadline deadline)
      throws SearchException {
    Set<String> matched = new LinkedHashSet<>();
    boolean wordMatched = false;
    int seen = 0;
    for (Token token : analyze(CASED, chunkText)) {
      if ((++seen & 63) == 0) {
        deadline.check();
      }
      if (!token.part()) {
        wordMatched = matcher.test(token.text());
        if (wordMatched) {
          matched.add(token.text());
        }
      } else if (!wordMatched && matcher.test(token.text())) {
        matched.add(token.text());
      }
    }
    return List.copyOf(matched);
  }

  /** What a token must satisfy to be highlighted for {@code request}; build once per query. */
  static Predicate<String> matcher(QueryRequest request) {
    return request.regex() ? regexMatcher(request) : termMatcher(request);
  }

  private static Predicate<String> termMatcher(QueryRequest request) {
    boolean caseSensitive = request.caseSensitive();
    Set<String> wanted = new LinkedHashSet<>();
    for (Segment segment : Segment.parse(request.query())) {
      for (Token token : analyze(caseSensitive ? CASED : LOWERCASE, segment.text())) {
        wanted.add(token.text());
      }
    }
    int edits = request.editDistance();
    return text -> {
      String key = caseSensitive ? text : text.toLowerCase(Locale.ROOT);
      if (wanted.contains(key)) {
        return true;
      }
      for (String term : edits == 0 ? Set.<String>of() : wanted) {
        int allowed = Math.min(edits, term.codePointCount(0, term.length()) - 1);
        int distance = LevenshteinQuery.distance(term, key, allowed);
        if (allowed > 0 && distance <= allowed && distance < key.codePointCount(0, key.length())) {
          return true;
        }
      }
      return false;
    };
  }

  /** The search's own regex, as automata (see {@link TokenRegex}); an invalid one highlights nothing. */
  private static Predicate<String> regexMatcher(QueryRequest request) {
    try {
      return TokenRegex.compile(request.query(), request.caseSensitive())::matches;
    } catch (SearchException e) {
      return text -> false; // the search itself reported it, or (semantic mode) never used it
    }
  }

  /** One analyzed token: a word, or a part of the word before it. */
  private record Token(String text, int position, boolean part) {}

  private static List<Token> analyze(Analyzer analyzer, String text) {
    List<Token> tokens = new ArrayList<>();
    try (TokenStream stream = analyzer.tokenStream("", text)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      PositionIncrementAttribute increment = stream.addAttribute(PositionIncrementAttribute.class);
      TypeAttribute type = stream.addAttribute(TypeAttribute.class);
      stream.reset();
      int position = -1;
      while (stream.incrementToken()) {
        position += increment.getPositionIncrement();
        tokens.add(new Token(term.toString(), position, CodeAnalyzer.TYPE_PART.equals(type.type())));
      }
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException("analyzing a string cannot fail", e);
    }
    return tokens;
  }

  /** A bare word or a quoted phrase of the query text; an unclosed quote runs to the end. */
  private record Segment(String text, boolean phrase) {
    static List<Segment> parse(String query) {
      List<Segment> segments = new ArrayList<>();
      int i = 0;
      while (i < query.length()) {
        char c = query.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '"') {
          int end = query.indexOf('"', i + 1);
          end = end < 0 ? query.length() : end;
          segments.add(new Segment(query.substring(i + 1, end), true));
          i = end + 1;
        } else {
          int end = i;
          while (end < query.length() && !Character.isWhitespace(query.charAt(end)) && query.charAt(end) != '"') {
            end++;
          }
          segments.add(new Segment(query.substring(i, end), false));
          i = end;
        }
      }
      return segments;
    }
  }
}
