package dev.cidx.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cidx.protocol.JsonLines;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cidx mcp --print-config CLIENT}: what registers cidx with a coding agent. Claude Code starts a
 * project's servers in the project's directory, so it needs no path; Cursor and VS Code are given the
 * workspace folder through their own {@code ${workspaceFolder}} variable.
 */
public final class ClientConfigs {
  /** The clients there is a snippet for, by the name {@code --print-config} takes. */
  public enum Client { CLAUDE, CURSOR, VSCODE;

    public static Client byName(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--print-config (" + name + ") must be one of claude, cursor, vscode");
      }
    }
  }

  private ClientConfigs() {}

  /**
   * The snippet for {@code client}, starting {@code cidxCommand} (the absolute path of {@code bin/cidx})
   * on {@code repository} (an absolute path), or on the client's workspace when {@code repository} is null.
   */
  public static String snippet(Client client, String cidxCommand, String repository) {
    switch (client) {
      case CLAUDE: {
        List<String> args = new ArrayList<>(List.of("claude", "mcp", "add", "cidx", "--", cidxCommand, "mcp"));
        if (repository != null) {
          args.add("--path");
          args.add(repository);
        }
        StringBuilder line = new StringBuilder();
        for (String a : args) {
          line.append(line.length() == 0 ? "" : " ").append(shellWord(a));
        }
        return line + "\n";
      }
      case CURSOR:
        return json(Map.of("mcpServers", Map.of("cidx", server(cidxCommand, repository, false)))) + "\n";
      case VSCODE:
        return json(Map.of("servers", Map.of("cidx", server(cidxCommand, repository, true)))) + "\n";
      default:
        throw new IllegalStateException("no snippet for " + client);
    }
  }

  /** Where the snippet goes, one line for stderr, so that stdout is the snippet alone. */
  public static String where(Client client) {
    switch (client) {
      case CLAUDE:
        return "run this in the repository (add --scope project to share it through .mcp.json):";
      case CURSOR:
        return "put this in .cursor/mcp.json in the repository (or in ~/.cursor/mcp.json):";
      case VSCODE:
        return "put this in .vscode/mcp.json in the repository:";
      default:
        throw new IllegalStateException("no snippet for " + client);
    }
  }

  private static Map<String, Object> server(String cidxCommand, String repository, boolean typed) {
    Map<String, Object> server = new LinkedHashMap<>();
    if (typed) {
      server.put("type", "stdio");
    }
    server.put("command", cidxCommand);
    server.put("args", List.of("mcp", "--path", repository == null ? "${workspaceFolder}" : repository));
    return server;
  }

  private static String json(Object value) {
    try {
      return JsonLines.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the snippet", e);
    }
  }

  /** {@code word} quoted for a POSIX shell when it needs to be. */
  static String shellWord(String word) {
    if (!word.isEmpty() && word.matches("[A-Za-z0-9_./:=@%+-]+")) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
