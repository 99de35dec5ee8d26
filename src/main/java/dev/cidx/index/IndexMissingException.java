package dev.cidx.index;

import java.io.IOException;

/** There is no committed index yet: run `cidx index`. */
public final class IndexMissingException extends IOException {
  public IndexMissingException(String message) {
    super(message);
  }
}
