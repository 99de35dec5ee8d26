package dev.cidx.search;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;

/** Picks the lines of a chunk to show under a hit. Stateless. */
public final class Snippets {

  /** Lines of a chunk; {@code startLine} is the 1-based file line of the first. */
  public record Snippet(String text, int startLine) {}

  private Snippets() {}

  /**
   * The window of {@code lines} lines with the most (length-weighted) occurrences of {@code terms}
   * (case-insensitive substrings), its hits centred where several windows tie; the first lines when nothing matches.
   * {@code lines == 0} gives empty text.
   */
  public static Snippet extract(String chunkText, int chunkStartLine, List<String> terms, int lines) {
    if (lines < 0) {
      throw new IllegalArgumentException("lines (" + lines + ") must not be negative");
    }
    if (lines == 0) {
      return new Snippet("", chunkStartLine);
    }
    String[] all = chunkText.split("\r?\n", -1);
    int count = all.length > 1 && all[all.length - 1].isEmpty() ? all.length - 1 : all.length;
    int size = Math.min(lines, count);
    Set<String> needles = new LinkedHashSet<>();
    for (String term : terms) {
      if (!term.isEmpty()) {
        needles.add(term.toLowerCase(Locale.ROOT));
      }
    }
    long[] hits = new long[count];
    for (int i = 0; i < count; i++) {
      hits[i] = countHits(all[i].toLowerCase(Locale.ROOT), needles);
    }
    int best = 0;
    long bestHits = -1;
    int bestOffCentre = Integer.MAX_VALUE;
    for (int start = 0; start + size <= count; start++) {
      long sum = 0;
      int first = -1;
      int last = -1;
      for (int i = start; i < start + size; i++) {
        if (hits[i] > 0) {
          sum += hits[i];
          first = first < 0 ? i : first;
          last = i;
        }
      }
      // Twice the distance between the hits' middle and the window's middle, to stay in integers.
      int offCentre = sum == 0 ? 0 : Math.abs((first + last) - (2 * start + size - 1));
      if (sum > bestHits || (sum == bestHits && offCentre < bestOffCentre)) {
        best = start;
        bestHits = sum;
        bestOffCentre = offCentre;
      }
    }
    return new Snippet(String.join("\n", List.of(all).subList(best, best + size)), chunkStartLine + best);
  }

  /**
   * Each occurrence weighs its length cubed: a query for {@code parseHeaderLine} must show the line
   * holding that identifier, not a window with a dozen loose mentions of "header".
   */
  private static long countHits(String lowerLine, Set<String> needles) {
    long hits = 0;
    for (String needle : needles) {
      for (int at = lowerLine.indexOf(needle); at >= 0; at = lowerLine.indexOf(needle, at + needle.length())) {
        hits += (long) needle.length() * needle.length() * needle.length();
      }
    }
    return hits;
  }
}
