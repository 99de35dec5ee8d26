package dev.cidx.mcp;

import dev.cidx.protocol.QueryRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Where the next page of a search starts, as an opaque string: the offset, the number of results the
 * search fetches for every page of this chain, and a fingerprint of the query and its options, so that a
 * cursor cannot continue another search.
 *
 * <p>Why a fixed fetch size: hybrid fusion looks at a window that grows with the limit, so asking for
 * more results can reorder the first ones; every page of one chain therefore runs the same query with
 * the same limit and cuts its own slice, which keeps each result on exactly one page.
 */
record SearchCursor(int offset, int fetch, String fingerprint) {
  private static final String VERSION = "c1";

  String encode() {
    String plain = VERSION + ":" + offset + ":" + fetch + ":" + fingerprint;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor in {@code text}, refused with one line when it is not one of ours or not this query's. */
  static SearchCursor decode(String text, String fingerprint) {
    String[] parts;
    try {
      parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":");
    } catch (IllegalArgumentException e) {
      parts = new String[0];
    }
    if (parts.length != 4 || !parts[0].equals(VERSION)) {
      throw new IllegalArgumentException("cursor is not a next_cursor from search_code");
    }
    if (!parts[3].equals(fingerprint)) {
      throw new IllegalArgumentException("cursor belongs to another search: repeat that search's query and options");
    }
    try {
      int offset = Integer.parseInt(parts[1]);
      int fetch = Integer.parseInt(parts[2]);
      if (offset < 0 || fetch < 1 || fetch > QueryRequest.MAX_LIMIT) {
        throw new NumberFormatException();
      }
      return new SearchCursor(offset, fetch, fingerprint);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cursor is not a next_cursor from search_code");
    }
  }

  /** The query and every option that decides which results come and in which order (not the page size). */
  static String fingerprint(QueryRequest request) {
    String identity = request.toBuilder().limit(1).build().toString();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
