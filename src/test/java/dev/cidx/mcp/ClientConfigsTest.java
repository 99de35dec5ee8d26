package dev.cidx.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cidx.mcp.ClientConfigs.Client;
import org.junit.jupiter.api.Test;

class ClientConfigsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void claude_isOneShellCommand_quotedWhereItMustBe() {
    assertThat(ClientConfigs.snippet(Client.CLAUDE, "/opt/cidx/bin/cidx", null))
        .isEqualTo("claude mcp add cidx -- /opt/cidx/bin/cidx mcp\n");
    assertThat(ClientConfigs.snippet(Client.CLAUDE, "/opt/my cidx/bin/cidx", "/home/a/it's"))
        .isEqualTo("claude mcp add cidx -- '/opt/my cidx/bin/cidx' mcp --path '/home/a/it'\\''s'\n");
  }

  @Test
  void cursorAndVscode_areJsonStartingCidxOnTheWorkspace() throws Exception {
    JsonNode cursor = JSON.readTree(ClientConfigs.snippet(Client.CURSOR, "/opt/cidx/bin/cidx", null));
    assertThat(cursor.at("/mcpServers/cidx/command").asText()).isEqualTo("/opt/cidx/bin/cidx");
    assertThat(cursor.at("/mcpServers/cidx/args").toString()).isEqualTo("[\"mcp\",\"--path\",\"${workspaceFolder}\"]");
    JsonNode vscode = JSON.readTree(ClientConfigs.snippet(Client.VSCODE, "/opt/cidx/bin/cidx", "/r \"x\""));
    assertThat(vscode.at("/servers/cidx/type").asText()).isEqualTo("stdio");
    assertThat(vscode.at("/servers/cidx/args/2").asText()).isEqualTo("/r \"x\"");
  }

  @Test
  void anUnknownClient_isRefusedWithTheChoices() {
    assertThatThrownBy(() -> Client.byName("zed"))
        .hasMessage("--print-config (zed) must be one of claude, cursor, vscode");
    assertThat(Client.byName("VSCode")).isEqualTo(Client.VSCODE);
  }
}
