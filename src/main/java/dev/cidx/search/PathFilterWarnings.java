package dev.cidx.search;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Warnings for {@code --path-filter} globs that match no indexed file, each with the glob the user
 * likely meant when one of those matches. The common slip is {@code '*}{@code /websocket/*'}: {@code *}
 * stops at {@code /}, so it names only {@code websocket} directories one level down, while the user
 * meant any depth, {@code '**}{@code /websocket/**'} (the original tool's documentation used the
 * one-star form, so users type it). A filter that silently filters everything out looks like "no
 * results"; saying so is the difference (ck #111).
 */
final class PathFilterWarnings {
  private PathFilterWarnings() {}

  /** One line per glob of {@code globs} that matches none of {@code indexedPaths}. */
  static List<String> of(List<String> globs, Collection<String> indexedPaths) {
    List<String> warnings = new ArrayList<>();
    for (String glob : globs) {
      if (matchesAny(glob, indexedPaths)) {
        continue;
      }
      String line = "--path-filter '" + glob + "' matches no indexed file";
      String meant = likelyMeant(glob, indexedPaths);
      if (meant != null) {
        line += "; did you mean '" + meant + "'? (* stops at /, ** crosses directories)";
      }
      warnings.add(line);
    }
    return warnings;
  }

  /** The first rewrite of {@code glob} that matches an indexed path, or null. */
  static String likelyMeant(String glob, Collection<String> indexedPaths) {
    for (String candidate : rewrites(glob)) {
      if (!candidate.equals(glob) && matchesAny(candidate, indexedPaths)) {
        return candidate;
      }
    }
    return null;
  }

  /** Candidates, most literal first: every lone {@code *} segment as {@code **}, then unanchored forms. */
  static List<String> rewrites(String glob) {
    String body = glob.strip();
    String starred = String.join("/", segments(body).stream().map(s -> s.equals("*") ? "**" : s).toList());
    Set<String> candidates = new LinkedHashSet<>();
    candidates.add(starred);
    for (String form : List.of(starred, body)) {
      String relative = form.replaceFirst("^(\\./|/)+", "");
      if (!relative.startsWith("**/")) {
        candidates.add("**/" + relative);
      }
    }
    return List.copyOf(candidates);
  }

  private static List<String> segments(String glob) {
    return List.of(glob.split("/", -1));
  }

  private static boolean matchesAny(String glob, Collection<String> paths) {
    PathGlob compiled;
    try {
      compiled = PathGlob.compile(glob);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (String path : paths) {
      if (compiled.matches(path)) {
        return true;
      }
    }
    return false;
  }
}
