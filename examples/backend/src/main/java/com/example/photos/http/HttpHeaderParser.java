package com.example.photos.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small, strict parser for HTTP/1.1 request header blocks (RFC 9112, section 5).
 *
 * <p>Used by the upload endpoint, which reads multipart bodies straight off the socket and must
 * parse the per-part headers itself. It rejects anything ambiguous rather than guessing: obsolete
 * line folding, whitespace before the colon, and header lines longer than {@link #HTTP_HEADER_MAX}.
 */
public final class HttpHeaderParser {

  /** Longest header line we accept, in bytes, including the name. Larger lines are rejected with 431. */
  public static final int HTTP_HEADER_MAX = 8192;

  /** Most header fields accepted in one block; protects against hash-flooding style abuse. */
  public static final int HTTP_HEADER_COUNT_MAX = 100;

  /** Thrown for malformed header blocks; carries the HTTP status to answer with. */
  public static final class MalformedHeaderException extends Exception {
    private final int status;

    public MalformedHeaderException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** One parsed header field; the name is lower-cased because field names are case-insensitive. */
  public record Header(String name, String value) {}

  /**
   * Parses a single header line such as {@code Content-Type: image/jpeg} (without the CRLF).
   *
   * @throws MalformedHeaderException if the line is too long, has no colon, has an empty or invalid
   *     name, or has whitespace between the name and the colon (forbidden by RFC 9112 5.1)
   */
  public static Header parseHeaderLine(String line) throws MalformedHeaderException {
    if (line.length() > HTTP_HEADER_MAX) {
      throw new MalformedHeaderException(431, "header line exceeds " + HTTP_HEADER_MAX + " bytes");
    }
    if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
      throw new MalformedHeaderException(400, "obsolete line folding is not supported");
    }
    int colon = line.indexOf(':');
    if (colon <= 0) {
      throw new MalformedHeaderException(400, "header line has no field name: " + abbreviate(line));
    }
    String name = line.substring(0, colon);
    for (int i = 0; i < name.length(); i++) {
      if (!isTokenChar(name.charAt(i))) {
        throw new MalformedHeaderException(400, "invalid character in header name: " + abbreviate(name));
      }
    }
    String value = trimOws(line.substring(colon + 1));
    return new Header(name.toLowerCase(Locale.ROOT), value);
  }

  /**
   * Parses a whole header block (the lines up to the empty line). Repeated fields are kept in
   * order, so {@code Set-Cookie} style headers are not lost.
   */
  public static Map<String, List<String>> parseHeaderBlock(List<String> lines) throws MalformedHeaderException {
    if (lines.size() > HTTP_HEADER_COUNT_MAX) {
      throw new MalformedHeaderException(431, "more than " + HTTP_HEADER_COUNT_MAX + " header fields");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line : lines) {
      if (line.isEmpty()) {
        break;
      }
      Header h = parseHeaderLine(line);
      headers.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h.value());
    }
    if (headers.getOrDefault("content-length", List.of()).stream().distinct().count() > 1) {
      // Conflicting lengths are a classic request-smuggling vector.
      throw new MalformedHeaderException(400, "conflicting Content-Length headers");
    }
    return Collections.unmodifiableMap(headers);
  }

  /** Extracts a parameter such as {@code boundary} from {@code multipart/form-data; boundary=xyz}. */
  public static String parameter(String headerValue, String parameterName) {
    for (String part : headerValue.split(";")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(parameterName)) {
        String v = p.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v;
      }
    }
    return null;
  }

  /** RFC 9110 tchar: visible ASCII except delimiters. */
  private static boolean isTokenChar(char c) {
    if (c <= 0x20 || c >= 0x7f) {
      return false;
    }
    return "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }

  /** Strips optional whitespace (SP / HTAB) from both ends. */
  private static String trimOws(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private HttpHeaderParser() {}
}
