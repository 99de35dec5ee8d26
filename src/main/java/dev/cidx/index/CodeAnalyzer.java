package dev.cidx.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.util.CharTokenizer;

/**
 * Tokenizes source code. A token is a run of letters, digits, {@code _} and {@code $}. Each token is
 * emitted as it stands (type {@link #TYPE_WORD}) and then, when it is a compound identifier, as its
 * parts (type {@link #TYPE_PART}), split at {@code _}/{@code $}, camelCase humps, acronym ends and
 * letter/digit boundaries: {@code getHTTPResponse2} gives {@code gethttpresponse2, get, http, response,
 * 2}. The case-insensitive variant lowercases everything.
 *
 * <p>The stream is flat, never a graph: the first part shares the word's position and each further part
 * takes the next one, so {@code "read all bytes"} as a phrase matches {@code readAllBytes} as well as
 * the three separate words, and the same stream serves indexing and queries.
 *
 * <p>Thread-safe, like every Lucene analyzer.
 */
public final class CodeAnalyzer extends Analyzer {
  /** Type of a token as it appears in the text. */
  public static final String TYPE_WORD = "word";
  /** Type of one part of a compound identifier, following its {@link #TYPE_WORD}. */
  public static final String TYPE_PART = "part";

  private final boolean caseSensitive;

  private CodeAnalyzer(boolean caseSensitive) {
    this.caseSensitive = caseSensitive;
  }

  public static CodeAnalyzer caseInsensitive() {
    return new CodeAnalyzer(false);
  }

  public static CodeAnalyzer caseSensitive() {
    return new CodeAnalyzer(true);
  }

  public boolean isCaseSensitive() {
    return caseSensitive;
  }

  /** Whether {@code codePoint} belongs in a token: letters, digits, {@code _} and {@code $}. */
  public static boolean isTokenChar(int codePoint) {
    return Character.isLetterOrDigit(codePoint) || codePoint == '_' || codePoint == '$';
  }

  @Override
  protected TokenStreamComponents createComponents(String fieldName) {
    // CharTokenizer cuts tokens at 255 chars, which keeps minified lines from making giant terms.
    Tokenizer source = CharTokenizer.fromTokenCharPredicate(CodeAnalyzer::isTokenChar);
    TokenStream stream = new IdentifierSplitFilter(source);
    return new TokenStreamComponents(source, caseSensitive ? stream : new LowerCaseFilter(stream));
  }

  @Override
  protected TokenStream normalize(String fieldName, TokenStream in) {
    return caseSensitive ? in : new LowerCaseFilter(in);
  }
}
