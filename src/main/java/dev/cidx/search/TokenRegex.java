package dev.cidx.search;

import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.util.automaton.CharacterRunAutomaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * The pieces of a {@code --regex} query as deterministic automata, to tell which tokens of a chunk they
 * match (for highlighting). Lucene's syntax and flags, as {@link FullTextSearch} searches with, so a
 * highlighted word is one the search matched.
 *
 * <p>Why not {@code java.util.regex}: the pattern is user input (from the CLI, the socket or an agent), and
 * a backtracking engine takes exponential time on patterns like {@code ([a-z]+)*Handler} against a long
 * identifier, holding the daemon. A determinized automaton runs in time linear in the token whatever the
 * pattern; a pattern whose automaton would be too big to build is refused instead.
 *
 * <p>Immutable and thread-safe.
 */
final class TokenRegex {
  /** Lucene's default: plenty for any regex a person writes, and a bound on what one can cost to build. */
  static final int DETERMINIZE_WORK_LIMIT = Operations.DEFAULT_DETERMINIZE_WORK_LIMIT;

  private final List<CharacterRunAutomaton> pieces;

  private TokenRegex(List<CharacterRunAutomaton> pieces) {
    this.pieces = pieces;
  }

  /**
   * Compiles each whitespace-separated piece of {@code query}; throws {@link SearchException} with
   * {@link SearchException.Reason#BAD_QUERY} and a one-line reason for an invalid or too complex piece.
   */
  static TokenRegex compile(String query, boolean caseSensitive) throws SearchException {
    int matchFlags = caseSensitive ? 0 : RegExp.ASCII_CASE_INSENSITIVE;
    List<CharacterRunAutomaton> pieces = new ArrayList<>();
    for (String piece : query.strip().split("\\s+")) {
      try {
        pieces.add(new CharacterRunAutomaton(
            new RegExp(piece, RegExp.NONE, matchFlags).toAutomaton(DETERMINIZE_WORK_LIMIT), DETERMINIZE_WORK_LIMIT));
      } catch (TooComplexToDeterminizeException | IllegalArgumentException e) {
        throw TokenRegex.badPiece(piece, e);
      }
    }
    return new TokenRegex(List.copyOf(pieces));
  }

  /** True when some piece matches the whole of {@code token}. */
  boolean matches(String token) {
    for (CharacterRunAutomaton piece : pieces) {
      if (piece.run(token)) {
        return true;
      }
    }
    return false;
  }

  /** The one-line error for a regex piece Lucene cannot build: too complex to determinize, or invalid. */
  static SearchException badPiece(String piece, RuntimeException e) {
    String message = e instanceof TooComplexToDeterminizeException
        ? "regex '" + piece + "' is too complex to run: simplify it"
        : "invalid regex '" + piece + "': " + e.getMessage();
    return new SearchException(SearchException.Reason.BAD_QUERY, message, e);
  }
}
