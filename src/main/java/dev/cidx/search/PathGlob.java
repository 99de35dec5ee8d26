package dev.cidx.search;

import java.util.Objects;
import java.util.regex.Pattern;

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
 * <p>Immutable and thread-safe; equal when the patterns are equal.
 */
public final class PathGlob {
  private final String glob;
  private final Pattern regex;

  private PathGlob(String glob, Pattern regex) {
    this.glob = glob;
    this.regex = regex;
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
    String regex = (anchored ? "" : "(?:.*/)?") + translate(glob, body) + "(?:/.*)?";
    return new PathGlob(glob, Pattern.compile(regex, Pattern.DOTALL));
  }

  public boolean matches(String relativePath) {
    String path = relativePath.startsWith("./") ? relativePath.substring(2) : relativePath;
    return regex.matcher(path).matches();
  }

  public String glob() {
    return glob;
  }

  private static String translate(String glob, String body) {
    StringBuilder out = new StringBuilder();
    int braceDepth = 0;
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i++);
      switch (c) {
        case '*' -> {
          if (i < body.length() && body.charAt(i) == '*') {
            i++;
            if (i < body.length() && body.charAt(i) == '/') {
              i++;
              out.append("(?:.*/)?");
            } else {
              out.append(".*");
            }
          } else {
            out.append("[^/]*");
          }
        }
        case '?' -> out.append("[^/]");
        case '[' -> i = translateClass(glob, body, i, out);
        case '{' -> {
          braceDepth++;
          out.append("(?:");
        }
        case '}' -> {
          if (braceDepth > 0) {
            braceDepth--;
            out.append(')');
          } else {
            out.append("\\}");
          }
        }
        case ',' -> out.append(braceDepth > 0 ? "|" : ",");
        case '\\' -> {
          if (i == body.length()) {
            throw new IllegalArgumentException("invalid glob '" + glob + "': trailing \\");
          }
          appendLiteral(body.charAt(i++), out);
        }
        default -> appendLiteral(c, out);
      }
    }
    if (braceDepth > 0) {
      throw new IllegalArgumentException("invalid glob '" + glob + "': unclosed {");
    }
    return out.toString();
  }

  /** Translates a character class whose {@code [} is just before {@code start}; returns the index after {@code ]}. */
  private static int translateClass(String glob, String body, int start, StringBuilder out) {
    int i = start;
    StringBuilder cls = new StringBuilder("[");
    if (i < body.length() && (body.charAt(i) == '!' || body.charAt(i) == '^')) {
      cls.append('^');
      i++;
    }
    boolean first = true;
    while (i < body.length() && (first || body.charAt(i) != ']')) {
      char c = body.charAt(i++);
      if (c == '-' && !first && i < body.length() && body.charAt(i) != ']') {
        cls.append('-'); // a range; a leading or trailing '-' is literal
      } else {
        appendLiteral(c, cls);
      }
      first = false;
    }
    if (i == body.length()) {
      throw new IllegalArgumentException("invalid glob '" + glob + "': unclosed [");
    }
    out.append("(?:(?!/)").append(cls).append("])"); // like *, a class never matches a separator
    return i + 1;
  }

  private static void appendLiteral(char c, StringBuilder out) {
    if (!Character.isLetterOrDigit(c) && c != '/' && c != '_') {
      out.append('\\'); // escaping any punctuation is always safe in java.util.regex
    }
    out.append(c);
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
