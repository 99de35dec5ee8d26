package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which searches a query runs. Hybrid runs both and fuses them; it is the default. */
public enum SearchMode {
  SEMANTIC, FTS, HYBRID;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static SearchMode fromWire(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mode (" + name + ") must be one of semantic, fts, hybrid");
    }
  }
}
