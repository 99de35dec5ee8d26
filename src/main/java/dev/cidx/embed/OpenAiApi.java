package dev.cidx.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@code POST {base_url}/embeddings} of OpenAI and the servers that copy it (LiteLLM, vLLM, LM Studio,
 * llama.cpp, Hugging Face TEI). Limits: 2,048 inputs per request, 8,191 tokens per input (longer ones are
 * an error, not truncated; cidx's chunks stay near 512), 300,000 tokens per request.
 */
final class OpenAiApi implements ProviderApi {
  @Override
  public String name() {
    return "openai";
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
    body.put("encoding_format", "float");
    if (dimensions != null) {
      body.put("dimensions", dimensions);
    }
    return body;
  }

  @Override
  public List<float[]> vectors(JsonNode response) {
    return ProviderApi.dataVectors(response);
  }
}
