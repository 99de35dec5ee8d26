package dev.cidx.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingSettingsTest {
  @TempDir
  Path dir;

  private CidxConfig load(String embedding) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"embedding\": " + embedding + "}");
    return CidxConfig.load(file);
  }

  private void assertRejected(String embedding, String message) {
    assertThatThrownBy(() -> load(embedding))
        .isInstanceOf(ConfigException.class)
        .hasMessage(dir.resolve("config.json") + ": " + message);
  }

  @Test
  void aConfigWithoutTheBlock_isLocal() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"embedding_model\": \"all-minilm-l6-v2\"}");
    CidxConfig config = CidxConfig.load(file);
    assertThat(config.embedding().isLocal()).isTrue();
    assertThat(config.embeddingModel()).isEqualTo("all-minilm-l6-v2");
  }

  @Test
  void theIssuesExample_isReadWithEveryField() throws Exception {
    EmbeddingSettings e = load("{\"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:8080/v1/\","
        + " \"model\": \"text-embedding-3-small\", \"dimensions\": 1536, \"api_key_env\": \"OPENAI_API_KEY\","
        + " \"batch_size\": 64, \"max_concurrency\": 4}").embedding();
    assertThat(e.endpoint()).isEqualTo("http://127.0.0.1:8080/v1");
    assertThat(e.modelName()).isEqualTo("text-embedding-3-small");
    assertThat(e.dimension()).isEqualTo(1536);
    assertThat(e.keyVariable()).isEqualTo("OPENAI_API_KEY");
    assertThat(e.batch()).isEqualTo(64);
    assertThat(e.concurrency()).isEqualTo(4);
    assertThat(e.timeout()).isEqualTo(60.0);
  }

  @Test
  void providerDefaults_fillWhatIsLeftOut() throws Exception {
    EmbeddingSettings voyage = load("{\"provider\": \"Voyage\"}").embedding();
    assertThat(voyage.endpoint()).isEqualTo("https://api.voyageai.com/v1");
    assertThat(voyage.modelName()).isEqualTo("voyage-code-3");
    assertThat(voyage.dimension()).isEqualTo(1024);
    assertThat(voyage.keyVariable()).isEqualTo("VOYAGE_API_KEY");
    EmbeddingSettings ollama = load("{\"provider\": \"ollama\", \"model\": \"nomic-embed-text\"}").embedding();
    assertThat(ollama.endpoint()).isEqualTo("http://127.0.0.1:11434");
    assertThat(ollama.dimension()).isEqualTo(768);
    assertThat(ollama.keyVariable()).isEmpty();
    assertThat(load("{\"provider\": \"openai\", \"model\": \"text-embedding-3-large\"}").embedding().keyVariable())
        .isEqualTo("OPENAI_API_KEY");
  }

  @Test
  void savedSettings_keepOnlyWhatWasChosen_andRoundTrip() throws Exception {
    CidxConfig config = CidxConfig.defaults().withEmbedding(
        new EmbeddingSettings("ollama", null, "nomic-embed-text", null, null, null, null, null));
    Path file = dir.resolve("saved.json");
    config.save(file);
    assertThat(Files.readString(file)).contains("\"embedding\" : {\n    \"provider\" : \"ollama\",\n"
        + "    \"model\" : \"nomic-embed-text\"\n  }");
    assertThat(CidxConfig.load(file)).isEqualTo(config);
  }

  @Test
  void badValues_areOneLineNamingTheField() {
    assertRejected("{\"provider\": \"cohere\"}", "embedding.provider (cohere) must be one of local, openai, ollama, voyage");
    assertRejected("{\"provider\": \"openai\"}", "embedding.model is required for provider openai");
    assertRejected("{\"provider\": \"ollama\", \"model\": \"my-model\"}",
        "embedding.dimensions is required for model my-model (the length of its vectors, e.g. 768 for nomic-embed-text)");
    assertRejected("{\"provider\": \"openai\", \"model\": \"m\", \"dimensions\": 8, \"base_url\": \"ftp://host/v1\"}",
        "embedding.base_url (ftp://host/v1) must be an http:// or https:// URL");
    assertRejected("{\"provider\": \"openai\", \"model\": \"m\", \"dimensions\": 8, \"base_url\": \"http://a b\"}",
        "embedding.base_url (http://a b) is not a URL: Illegal character in authority");
    assertRejected("{\"provider\": \"openai\", \"model\": \"m\", \"dimensions\": 0}",
        "embedding.dimensions (0) must be positive");
    assertRejected("{\"provider\": \"voyage\", \"max_concurrency\": -2}", "embedding.max_concurrency (-2) must be positive");
    assertRejected("{\"provider\": \"voyage\", \"batch_size\": 0}", "embedding.batch_size (0) must be positive");
    assertRejected("{\"provider\": \"voyage\", \"batch_size\": 5000}",
        "embedding.batch_size (5000) must be at most 1000 for provider voyage");
    assertRejected("{\"provider\": \"voyage\", \"timeout_seconds\": 0}", "embedding.timeout_seconds (0.0) must be positive");
    assertRejected("{\"model\": \"text-embedding-3-small\"}",
        "embedding.model, base_url and dimensions are for remote providers; the local model is set by embedding_model");
  }

  @Test
  void theKeyVariable_mustEndInApiKey_soAConfigCannotPullOtherSecrets() throws Exception {
    assertRejected("{\"provider\": \"voyage\", \"api_key_env\": \"GITHUB_TOKEN\"}",
        "embedding.api_key_env (GITHUB_TOKEN) must name an environment variable ending in _API_KEY, or be empty "
            + "for a server without keys");
    assertThat(load("{\"provider\": \"voyage\", \"api_key_env\": \"LITELLM_API_KEY\"}").embedding().keyVariable())
        .isEqualTo("LITELLM_API_KEY");
    assertThat(load("{\"provider\": \"openai\", \"model\": \"x\", \"dimensions\": 4, \"api_key_env\": \"\"}")
        .embedding().keyVariable()).isEmpty();
  }
}
