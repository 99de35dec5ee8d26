package dev.cidx.cli;

/**
 * Text from a repository (paths, snippets) and from users (queries, error messages quoting them), made
 * safe to print: a file can hold an escape sequence that retitles the window, clears the screen or
 * rewrites what was printed before it, and a bidi override can make code read differently from what it
 * is (Trojan Source, CVE-2021-42574). Every human-format printer sends such text through here, on a
 * terminal and in a pipe alike; {@code --json} escapes the same characters as JSON ({@link Json}).
 *
 * <p>What is shown instead: ESC as {@code \x1b}, newline and carriage return as {@code \n} and
 * {@code \r}, other C0 controls and DEL as {@code \xNN}, C1 controls and bidi controls as
 * {@code \u009b}-style text. Tab stays. A backslash stays as it is: code is full of them, and the
 * shown text need not be reversible (the JSON is).
 */
final class TerminalText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TerminalText() {}

  /** One line of output: every control is shown, newlines included, so nothing can forge a line. */
  static String line(String text) {
    return neutralize(text, false);
  }

  /** Text printed as several lines (a snippet): newlines stay, every other control is shown. */
  static String lines(String text) {
    return neutralize(text, true);
  }

  /** Whether {@code c} must not reach a terminal as it is (tab and newline aside). */
  static boolean isUnsafe(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || isBidiControl(c);
  }

  /** The embedding, override and isolate controls that Trojan Source uses. */
  static boolean isBidiControl(int c) {
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  }

  private static String neutralize(String text, boolean keepNewlines) {
    if (text == null) {
      return null;
    }
    int first = firstUnsafe(text, keepNewlines);
    if (first < 0) {
      return text; // the common case: no copy
    }
    StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isUnsafe(c) || c == '\t' || (keepNewlines && c == '\n')) {
        sb.append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c <= 0x7f) {
        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  private static int firstUnsafe(String text, boolean keepNewlines) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isUnsafe(c) && c != '\t' && !(keepNewlines && c == '\n')) {
        return i;
      }
    }
    return -1;
  }
}
