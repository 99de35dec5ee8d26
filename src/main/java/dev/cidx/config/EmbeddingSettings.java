package dev.cidx.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code embedding} block of config.json: which provider turns chunks and queries into vectors.
 * {@code local} (the default) runs the ONNX model named by the top-level {@code embedding_model}; the
 * others call a remote API. Fields hold what the file says (null when absent, so a file written back
 * keeps only what the user chose); the methods without a field's name resolve the provider's defaults.
 *
 * <p>The API key is never here: {@code api_key_env} names the environment variable that holds it. That
 * name must end in {@code _API_KEY} (or be empty for a server that needs none), so a config.json from
 * an untrusted source cannot send, say, {@code GITHUB_TOKEN} to a server of its choosing.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmbeddingSettings(
    @JsonProperty("provider") String provider,
    @JsonProperty("base_url") String baseUrl,
    @JsonProperty("model") String model,
    @JsonProperty("dimensions") Integer dimensions,
    @JsonProperty("api_key_env") String apiKeyEnv,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("max_concurrency") Integer maxConcurrency,
    @JsonProperty("timeout_seconds") Double timeoutSeconds) {

  public static final String LOCAL = "local";
  public static final EmbeddingSettings DEFAULTS = new EmbeddingSettings(null, null, null, null, null, null, null, null);

  /**
   * What each remote provider defaults to and allows. Batch ceilings are the APIs' inputs per request
   * (OpenAI 2,048, VoyageAI 1,000); Ollama has none, 512 keeps one request's work bounded.
   */
  private record Provider(String baseUrl, String model, String apiKeyEnv, int batchSize, int maxBatch,
      int maxConcurrency) {}

  private static final Map<String, Provider> PROVIDERS = Map.of(
      "openai", new Provider("https://api.openai.com/v1", null, "OPENAI_API_KEY", 64, 2048, 4),
      "voyage", new Provider("https://api.voyageai.com/v1", "voyage-code-3", "VOYAGE_API_KEY", 128, 1000, 4),
      "ollama", new Provider("http://127.0.0.1:11434", null, "", 32, 512, 2));

  /** Vector sizes of well-known models, so {@code dimensions} can be left out for them. */
  private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
      "text-embedding-3-small", 1536, "text-embedding-3-large", 3072, "text-embedding-ada-002", 1536,
      "voyage-code-3", 1024, "voyage-3", 1024, "voyage-3-large", 1024, "voyage-3.5", 1024,
      "nomic-embed-text", 768, "mxbai-embed-large", 1024);

  public EmbeddingSettings {
    provider = provider == null ? LOCAL : provider.trim().toLowerCase(Locale.ROOT);
    if (!provider.equals(LOCAL) && !PROVIDERS.containsKey(provider)) {
      throw new IllegalArgumentException("embedding.provider (" + provider
          + ") must be one of local, openai, ollama, voyage");
    }
    if (provider.equals(LOCAL)) {
      if (model != null || baseUrl != null || dimensions != null) {
        throw new IllegalArgumentException("embedding.model, base_url and dimensions are for remote providers;"
            + " the local model is set by embedding_model");
      }
    } else {
      Provider p = PROVIDERS.get(provider);
      if ((model == null || model.isBlank()) && p.model() == null) {
        throw new IllegalArgumentException("embedding.model is required for provider " + provider);
      }
      String url = baseUrl == null ? p.baseUrl() : baseUrl;
      checkUrl(url);
      String m = model == null ? p.model() : model;
      if (dimensions == null && !KNOWN_DIMENSIONS.containsKey(m)) {
        throw new IllegalArgumentException("embedding.dimensions is required for model " + m
            + " (the length of its vectors, e.g. 768 for nomic-embed-text)");
      }
      if (batchSize != null && batchSize > p.maxBatch()) {
        throw new IllegalArgumentException("embedding.batch_size (" + batchSize + ") must be at most " + p.maxBatch()
            + " for provider " + provider);
      }
    }
    positive("embedding.dimensions", dimensions);
    positive("embedding.batch_size", batchSize);
    positive("embedding.max_concurrency", maxConcurrency);
    if (timeoutSeconds != null && !(timeoutSeconds > 0)) {
      throw new IllegalArgumentException("embedding.timeout_seconds (" + timeoutSeconds + ") must be positive");
    }
    if (apiKeyEnv != null && !apiKeyEnv.isEmpty() && !apiKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*_API_KEY")) {
      throw new IllegalArgumentException("embedding.api_key_env (" + apiKeyEnv
          + ") must name an environment variable ending in _API_KEY, or be empty for a server without keys");
    }
  }

  private static void positive(String name, Integer value) {
    if (value != null && value < 1) {
      throw new IllegalArgumentException(name + " (" + value + ") must be positive");
    }
  }

  private static void checkUrl(String url) {
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("embedding.base_url (" + url + ") must be an http:// or https:// URL");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("embedding.base_url (" + url + ") is not a URL: " + e.getReason());
    }
  }

  @JsonIgnore
  public boolean isLocal() {
    return provider.equals(LOCAL);
  }

  private Provider defaults() {
    Provider p = PROVIDERS.get(provider);
    if (p == null) {
      throw new IllegalStateException("provider " + provider + " has no remote settings");
    }
    return p;
  }

  /** The API's base URL without a trailing slash. */
  public String endpoint() {
    String url = baseUrl == null ? defaults().baseUrl() : baseUrl;
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public String modelName() {
    return model == null ? defaults().model() : model;
  }

  /** The length of the provider's vectors: configured, else the known size of the model. */
  public int dimension() {
    return dimensions != null ? dimensions : KNOWN_DIMENSIONS.get(modelName());
  }

  /** The variable holding the API key; empty when the provider is called without one. */
  public String keyVariable() {
    return apiKeyEnv == null ? defaults().apiKeyEnv() : apiKeyEnv;
  }

  public int batch() {
    return batchSize == null ? defaults().batchSize() : batchSize;
  }

  public int concurrency() {
    return maxConcurrency == null ? defaults().maxConcurrency() : maxConcurrency;
  }

  public double timeout() {
    return timeoutSeconds == null ? 60.0 : timeoutSeconds;
  }
}
