package dev.cidx.index;

import java.io.IOException;

/** The index on disk exists but cannot be read; `cidx index --clear` rebuilds it. */
public final class IndexDamagedException extends IOException {
  public IndexDamagedException(String message, Throwable cause) {
    super(message, cause);
  }
}
