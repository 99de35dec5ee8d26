package dev.cidx.mcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The arguments of {@code read_code}. */
record ReadCodeArgs(
    @JsonProperty(value = "path", required = true)
    @JsonPropertyDescription("A file of this repository, relative to its root (as search_code shows paths).")
    String path,
    @JsonProperty("start_line")
    @JsonPropertyDescription("First line to read, 1-based (default 1).")
    Integer startLine,
    @JsonProperty("end_line")
    @JsonPropertyDescription("Last line to read, inclusive (default: start_line + 399; at most 400 lines a call).")
    Integer endLine) {}
