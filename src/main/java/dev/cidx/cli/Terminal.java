package dev.cidx.cli;

/**
 * What the output may assume about the user's terminal. The daemon receives it from the client, so
 * output rendered inside the daemon looks as it would have locally.
 */
public record Terminal(boolean interactive, boolean color, int columns) {
  public static final Terminal PLAIN = new Terminal(false, false, 100);

  /** The terminal of this process: interactive when stdout is a console; colour unless NO_COLOR is set. */
  public static Terminal detect() {
    boolean tty = System.console() != null;
    String cols = System.getenv("COLUMNS");
    int columns = 100;
    if (cols != null) {
      try {
        columns = Integer.parseInt(cols.trim());
      } catch (NumberFormatException ignored) {
        // keep the default
      }
    }
    return new Terminal(tty, tty && System.getenv("NO_COLOR") == null, columns);
  }
}
