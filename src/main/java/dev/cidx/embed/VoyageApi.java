package dev.cidx.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * VoyageAI's {@code POST {base_url}/embeddings}, with {@code input_type} {@code document} when indexing
 * and {@code query} when searching (Voyage prefixes each differently). Limits: 1,000 inputs and 120,000
 * tokens per request for voyage-code-3 (128 chunks of at most 512 tokens stay far below), 32,000 tokens
 * per input, longer ones truncated by the API ({@code truncation: true}).
 */
final class VoyageApi implements ProviderApi {
  @Override
  public String name() {
    return "voyage";
  }

  @Override
  public String path() {
    return "/embeddings";
  }

  @Override
  public ObjectNode request(String model, Integer dimensions, List<String> texts, boolean query) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("model", model);
    body.putPOJO("input", texts);
    body.put("input_type", query ? "query" : "document");
    body.put("truncation", true);
    if (dimensions != null) {
      body.put("output_dimension", dimensions);
    }
    return body;
  }

  @Override
  public List<float[]> vectors(JsonNode response) {
    return ProviderApi.dataVectors(response);
  }
}
