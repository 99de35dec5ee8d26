package dev.cidx.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonEnvironmentTest {

  @Test
  void keepsWhatAJvmGitAndCidxNeed_dropsTheRest() {
    Map<String, String> shell = Map.ofEntries(Map.entry("PATH", "/usr/bin"), Map.entry("HOME", "/home/u"),
        Map.entry("USER", "u"), Map.entry("LOGNAME", "u"), Map.entry("LANG", "C.UTF-8"), Map.entry("LC_ALL", "C"),
        Map.entry("TZ", "UTC"), Map.entry("TMPDIR", "/tmp"), Map.entry("XDG_RUNTIME_DIR", "/run/user/1"),
        Map.entry("JAVA_HOME", "/jdk"), Map.entry("CIDX_DEBUG", "1"),
        Map.entry("SECRET_TOKEN", "hunter2"), Map.entry("AWS_SECRET_ACCESS_KEY", "k"), Map.entry("GITHUB_TOKEN", "g"),
        Map.entry("JAVA_TOOL_OPTIONS", "-javaagent:/tmp/x.jar"), Map.entry("LD_PRELOAD", "/tmp/x.so"));

    assertThat(DaemonEnvironment.of(shell)).containsOnlyKeys("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL",
        "TZ", "TMPDIR", "XDG_RUNTIME_DIR", "JAVA_HOME", "CIDX_DEBUG");
  }

  @Test
  void variablesNamedInCidxDaemonEnv_arePassedToo() {
    Map<String, String> shell = Map.of("PATH", "/usr/bin", "CIDX_DAEMON_ENV", "EMBED_API_KEY, HTTPS_PROXY,EMBED_API_KEY",
        "EMBED_API_KEY", "k", "HTTPS_PROXY", "http://proxy", "OTHER_KEY", "o");

    assertThat(DaemonEnvironment.of(shell)).containsOnlyKeys("PATH", "CIDX_DAEMON_ENV", "EMBED_API_KEY", "HTTPS_PROXY");
  }

  @Test
  void theKeyVariableConfigJsonNames_isPassed_andNoOther() {
    Map<String, String> shell = Map.of("PATH", "/usr/bin", "OPENAI_API_KEY", "sk-1", "VOYAGE_API_KEY", "v",
        "GITHUB_TOKEN", "g");

    assertThat(DaemonEnvironment.of(shell, java.util.Set.of("OPENAI_API_KEY"))).containsOnlyKeys("PATH", "OPENAI_API_KEY");
    assertThat(DaemonEnvironment.of(shell)).containsOnlyKeys("PATH");
  }
}
