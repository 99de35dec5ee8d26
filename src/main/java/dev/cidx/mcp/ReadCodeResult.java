package dev.cidx.mcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Lines of one file from the working tree. {@code state} compares the file with the index: {@code
 * indexed} (the index saw this version), {@code stale} (changed since: search results may point at old
 * lines), {@code not_indexed} (not in the index yet). {@code truncated}: the file goes on past {@code
 * end_line}.
 */
record ReadCodeResult(
    @JsonProperty("path") String path,
    @JsonProperty("language") String language,
    @JsonProperty("start_line") int startLine,
    @JsonProperty("end_line") int endLine,
    @JsonProperty("total_lines") int totalLines,
    @JsonProperty("state") State state,
    @JsonProperty("truncated") boolean truncated,
    @JsonProperty("text") String text) {

  enum State {
    INDEXED, STALE, NOT_INDEXED;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
