package dev.cidx.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.CharacterRunAutomaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * A user's path glob for {@code --path-filter} and {@code --exclude-path}, matched against
 * repository-relative paths with forward slashes.
 *
 * <p>Syntax: {@code *} and {@code ?} stay within one path segment, {@code **} crosses segments
 * ({@code **}{@code /} also matches no directory at all), {@code [abc]}, {@code [a-z]} and
 * {@code [!abc]} match one character, {@code {a,b}} is either alternative, and {@code \} escapes the
 * next character.
 *
 * <p>Anchoring follows {@code .gitignore}: a pattern containing {@code /} (other than a trailing one)
 * starts at the repository root, so {@code src/*.java} does not match {@code lib/src/A.java}; a
 * pattern without one matches any segment, so {@code *.java} matches {@code src/a/B.java} and
 * {@code test} matches {@code src/test/A.java}. Whatever a pattern matches, it also matches everything
 * under it: a pattern naming a directory selects the files in that directory tree.
 *
 * <p>Matching runs a deterministic automaton (Lucene's), so it costs time linear in the path whatever
 * the pattern: a glob is user input (from the CLI, the socket or an agent), and a backtracking regex
 * built from {@code *a*a*a*a*a*a*b} would take hours on one long file name while holding a query.
 * A glob whose automaton would be too big to build is rejected as invalid.
 *
 * <p>Immutable and thread-safe; equal when the patterns are equal.
 */
public final class PathGlob {
  /** Lucene's default: plenty for any glob a person writes, and a bound on what one can cost. */
  private static final int DETERMINIZE_WORK_LIMIT = Operations.DEFAULT_DETERMINIZE_WORK_LIMIT;
  private static final Automaton ANY = Operations.repeat(Automata.makeAnyChar());
  private static final Automaton SLASH = Automata.makeChar('/');
  private static final Automaton NOT_SLASH = Operations.union(List.of(
      Automata.makeCharRange(0, '/' - 1), Automata.makeCharRange('/' + 1, Character.MAX_CODE_POINT)));

  private final String glob;
  private final CharacterRunAutomaton automaton;

  private PathGlob(String glob, CharacterRunAutomaton automaton) {
    this.glob = glob;
    this.automaton = automaton;
  }

  /** Compiles {@code glob}; throws IllegalArgumentException with a one-line reason when invalid. */
  public static PathGlob compile(String glob) {
    Objects.requireNonNull(glob, "glob");
    String body = glob.strip();
    boolean anchored = body.startsWith("/") || body.startsWith("./");
    body = body.startsWith("./") ? body.substring(2) : body;
    while (body.startsWith("/")) {
      body = body.substring(1);
    }
    while (body.endsWith("/") && !body.endsWith("\\/")) {
      body = body.substring(0, body.length() - 1);
    }
    if (body.isEmpty()) {
      throw new IllegalArgumentException("invalid glob '" + glob + "': it names no path");
    }
    anchored |= body.contains("/");
    List<Automaton> whole = new ArrayList<>();
    if (!anchored) {
      whole.add(Operations.optional(Operations.concatenate(ANY, SLASH))); // any directories above
    }
    whole.add(new Parser(glob, body).pattern());
    whole.add(Operations.optional(Operations.concatenate(SLASH, ANY))); // everything under a match
    try {
      return new PathGlob(glob, new CharacterRunAutomaton(Operations.concatenate(whole), DETERMINIZE_WORK_LIMIT));
    } catch (TooComplexToDeterminizeException e) {
      throw new IllegalArgumentException("invalid glob '" + glob + "': too complex to match: simplify it", e);
    }
  }

  public boolean matches(String relativePath) {
    String path = relativePath.startsWith("./") ? relativePath.substring(2) : relativePath;
    return automaton.run(path);
  }

  public String glob() {
    return glob;
  }

  /** Turns a glob's body into an automaton, by recursive descent over braces. */
  private static final class Parser {
    private final String glob;
    private final String body;
    private int i;

    Parser(String glob, String body) {
      this.glob = glob;
      this.body = body;
    }

    Automaton pattern() {
      Automaton a = sequence(false);
      if (i < body.length()) {
        throw new AssertionError("a top-level sequence ends only at the end: " + glob);
      }
      return a;
    }

    /** Up to the end, or inside braces up to the {@code ,} or {@code }} that ends this alternative. */
    private Automaton sequence(boolean inBraces) {
      List<Automaton> parts = new ArrayList<>();
      while (i < body.length()) {
        char c = body.charAt(i);
        if (inBraces && (c == ',' || c == '}')) {
          break;
        }
        i++;
        switch (c) {
          case '*' -> parts.add(star());
          case '?' -> parts.add(NOT_SLASH);
          case '[' -> parts.add(characterClass());
          case '{' -> parts.add(alternatives());
          case '\\' -> {
            if (i == body.length()) {
              throw new IllegalArgumentException("invalid glob '" + glob + "': trailing \\");
            }
            parts.add(literal());
          }
          default -> {
            i--;
            parts.add(literal());
          }
        }
      }
      return parts.isEmpty() ? Automata.makeEmptyString() : Operations.concatenate(parts);
    }

    /** After a {@code *}: one segment's worth, or with a second star any number of segments. */
    private Automaton star() {
      if (i < body.length() && body.charAt(i) == '*') {
        i++;
        if (i < body.length() && body.charAt(i) == '/') {
          i++;
          return Operations.optional(Operations.concatenate(ANY, SLASH)); // **/ also matches no directory
        }
        return ANY;
      }
      return Operations.repeat(NOT_SLASH);
    }

    /** One code point taken literally. */
    private Automaton literal() {
      int cp = body.codePointAt(i);
      i += Character.charCount(cp);
      return Automata.makeChar(cp);
    }

    /** After a {@code {}: alternatives separated by {@code ,} up to the matching {@code }}. */
    private Automaton alternatives() {
      List<Automaton> alternatives = new ArrayList<>();
      while (true) {
        alternatives.add(sequence(true));
        if (i == body.length()) {
          throw new IllegalArgumentException("invalid glob '" + glob + "': unclosed {");
        }
        if (body.charAt(i++) == '}') {
          return Operations.union(alternatives);
        }
      }
    }

    /**
     * After a {@code [}: {@code [abc]}, {@code [a-z]}, {@code [!abc]} or {@code [^abc]}; a {@code ]}
     * first or a {@code -} first or last is literal. Like {@code *}, a class never matches a slash.
     */
    private Automaton characterClass() {
      boolean negated = i < body.length() && (body.charAt(i) == '!' || body.charAt(i) == '^');
      if (negated) {
        i++;
      }
      List<Automaton> members = new ArrayList<>();
      boolean first = true;
      while (i < body.length() && (first || body.charAt(i) != ']')) {
        int from = body.codePointAt(i);
        i += Character.charCount(from);
        if (i + 1 < body.length() && body.charAt(i) == '-' && body.charAt(i + 1) != ']') {
          i++;
          int to = body.codePointAt(i);
          i += Character.charCount(to);
          if (to < from) {
            throw new IllegalArgumentException("invalid glob '" + glob + "': range " + new String(Character.toChars(from))
                + "-" + new String(Character.toChars(to)) + " is backwards");
          }
          members.add(Automata.makeCharRange(from, to));
        } else {
          members.add(Automata.makeChar(from));
        }
        first = false;
      }
      if (i == body.length()) {
        throw new IllegalArgumentException("invalid glob '" + glob + "': unclosed [");
      }
      i++; // the ]
      Automaton set = Operations.union(members);
      return negated ? Operations.minus(NOT_SLASH, set, DETERMINIZE_WORK_LIMIT)
          : Operations.intersection(set, NOT_SLASH);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathGlob other && glob.equals(other.glob);
  }

  @Override
  public int hashCode() {
    return glob.hashCode();
  }

  @Override
  public String toString() {
    return glob;
  }
}
