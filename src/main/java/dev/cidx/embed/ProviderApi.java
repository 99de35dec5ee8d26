package dev.cidx.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One remote embedding API's wire format: the path under the base URL, the request body and where the
 * vectors are in the answer. {@link RemoteEmbedder} does everything else (batches, retries, timeouts),
 * the same for every provider.
 */
interface ProviderApi {

  /** The provider's name as config.json spells it. */
  String name();

  /** Appended to {@code base_url}. */
  String path();

  /**
   * The request body embedding {@code texts}; {@code query} says whether they are a search query or
   * documents, for providers that embed the two differently. {@code dimensions} is null unless
   * config.json set it (many OpenAI-compatible servers reject the field).
   */
  ObjectNode request(String model, Integer dimensions, List<String> texts, boolean query);

  /**
   * The vectors in input order.
   *
   * @throws IllegalArgumentException the answer is not in the API's format (the message says what is missing)
   */
  List<float[]> vectors(JsonNode response);

  /** The {@code data: [{index, embedding}]} answer of OpenAI and VoyageAI, ordered by {@code index}. */
  static List<float[]> dataVectors(JsonNode response) {
    JsonNode data = response.get("data");
    if (data == null || !data.isArray()) {
      throw new IllegalArgumentException("no \"data\" array");
    }
    float[][] out = new float[data.size()][];
    for (int i = 0; i < data.size(); i++) {
      JsonNode item = data.get(i);
      int index = item.has("index") ? item.get("index").asInt(-1) : i;
      if (index < 0 || index >= out.length || out[index] != null) {
        throw new IllegalArgumentException("bad \"index\" " + item.get("index"));
      }
      out[index] = floats(item.get("embedding"));
    }
    for (float[] v : out) {
      if (v == null) {
        throw new IllegalArgumentException("an \"index\" is missing");
      }
    }
    return List.of(out);
  }

  static float[] floats(JsonNode array) {
    if (array == null || !array.isArray()) {
      throw new IllegalArgumentException("an embedding is not an array of numbers");
    }
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      JsonNode n = array.get(i);
      if (!n.isNumber()) {
        throw new IllegalArgumentException("an embedding is not an array of numbers");
      }
      v[i] = n.floatValue();
    }
    return v;
  }
}
