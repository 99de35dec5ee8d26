package dev.cidx.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The repositories a user trusts although another user owns their {@code .code-indexer/}, as git's
 * {@code safe.directory}: the environment variable {@value #ENV} (a {@link File#pathSeparator}-separated
 * list) and the {@code safe_directories} list of the user's own config file,
 * {@code $XDG_CONFIG_HOME/cidx/config.json} (else {@code ~/.config/cidx/config.json}). An entry names a
 * repository's root (or its {@code .code-indexer}); {@code *} trusts every directory.
 *
 * <p>The config file counts only when the user owns it: a file someone else can write would let them
 * trust their own directories on the user's behalf. Read only when discovery meets a foreign
 * {@code .code-indexer}, so the common case costs nothing.
 */
final class SafeDirectories {
  static final String ENV = "CIDX_SAFE_DIRECTORIES";
  static final String CONFIG_KEY = "safe_directories";
  private static final JsonFactory JSON = new JsonFactory();

  private SafeDirectories() {}

  /** True when {@code env} or the user's config trusts the repository at {@code root}. */
  static boolean trusts(Path root, Map<String, String> env) {
    List<String> entries = new ArrayList<>();
    String fromEnv = env.get(ENV);
    if (fromEnv != null) {
      entries.addAll(List.of(fromEnv.split(File.pathSeparator)));
    }
    entries.addAll(fromConfig(userConfigFile(env)));
    for (String entry : entries) {
      if (matches(entry.strip(), root)) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(String entry, Path root) {
    if (entry.equals("*")) {
      return true;
    }
    if (entry.isEmpty()) {
      return false;
    }
    try {
      Path trusted = canonical(Path.of(entry));
      Path repo = canonical(root);
      return trusted.equals(repo) || trusted.equals(repo.resolve(RepoPaths.DATA_DIR));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /** The user's own cidx config: {@code $XDG_CONFIG_HOME/cidx/config.json}, else under {@code ~/.config}. */
  static Path userConfigFile(Map<String, String> env) {
    String xdg = env.containsKey("XDG_CONFIG_HOME") ? env.get("XDG_CONFIG_HOME") : System.getenv("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
        ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("cidx").resolve("config.json");
  }

  /** The {@code safe_directories} of {@code file}; none when it is missing, not the user's or not readable. */
  static List<String> fromConfig(Path file) {
    try {
      if (!Files.isRegularFile(file) || (Integer) Files.getAttribute(file, "unix:uid") != CurrentUser.uid()) {
        return List.of();
      }
      List<String> entries = new ArrayList<>();
      try (JsonParser p = JSON.createParser(Files.readAllBytes(file))) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return List.of();
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          if (name.equals(CONFIG_KEY) && value == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              entries.add(p.getText());
            }
          } else {
            p.skipChildren();
          }
        }
      }
      return entries;
    } catch (IOException | RuntimeException e) {
      return List.of(); // an unreadable config trusts nothing more
    }
  }

  private static Path canonical(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    try {
      return absolute.toRealPath();
    } catch (IOException e) {
      return absolute;
    }
  }
}
