package dev.cidx.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's {@code POST {base_url}/api/embed}. No limit on inputs per request; each input is truncated to
 * the model's context ({@code truncate: true}, 2,048 tokens for nomic-embed-text). No API key unless a
 * proxy in front wants one.
 */
final class OllamaApi implements ProviderApi {
  @Override
  public String name() {
    return "ollama";
  }

  @Override
  public String path() {
    return "/api/embed";
  }

  @Override
  public ObjectNode request(String model, Integer dimensions, List<String> texts, boolean query) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("model", model);
    body.putPOJO("input", texts);
    body.put("truncate", true);
    if (dimensions != null) {
      body.put("dimensions", dimensions);
    }
    return body;
  }

  @Override
  public List<float[]> vectors(JsonNode response) {
    JsonNode embeddings = response.get("embeddings");
    if (embeddings == null || !embeddings.isArray()) {
      throw new IllegalArgumentException("no \"embeddings\" array");
    }
    List<float[]> out = new ArrayList<>(embeddings.size());
    for (JsonNode e : embeddings) {
      out.add(ProviderApi.floats(e));
    }
    return out;
  }
}
