package dev.cidx.daemon;

import dev.cidx.index.IndexMissingException;
import dev.cidx.search.SearchException;
import dev.cidx.search.SearchException.Reason;
import java.io.IOException;

/**
 * How the daemon's query path reports an index it cannot read: as the {@link SearchException} the client
 * shows in one line, with the way out ({@code cidx index}) when there is one.
 */
final class IndexErrors {
  private IndexErrors() {}

  /** There is no index yet, or no commit of it. */
  static SearchException missing(IndexMissingException e) {
    return new SearchException(Reason.NO_INDEX, withIndexHint(e.getMessage()), e);
  }

  /** The index is there but cannot be read; {@code doing} is "open" or "read". */
  static SearchException damaged(String doing, IOException e) {
    return new SearchException(Reason.DAMAGED_INDEX, "cannot " + doing + " the index: " + e.getMessage(), e);
  }

  /** The message, with the way out unless it already gives it ("run `cidx init` then `cidx index`"). */
  static String withIndexHint(String message) {
    return message.contains("`cidx index`") ? message : message + ": run `cidx index`";
  }
}
