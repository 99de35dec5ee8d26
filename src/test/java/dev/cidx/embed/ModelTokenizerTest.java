package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelTokenizerTest {

  @Test
  void countsWithoutSpecialTokens_andARepeatedTextCountsTheSameFromTheCache() {
    NativeLibraries.prepare();
    try (ModelTokenizer tokenizer = ModelTokenizer.load(EmbeddingModel.BGE_SMALL_EN_V15)) {
      List<String> lines = List.of("public final class HttpClientImpl {", "  }", "", "hello world");
      int[] first = tokenizer.countTokens(lines);
      int[] again = tokenizer.countTokens(List.of("hello world", "public final class HttpClientImpl {", "  }", ""));

      assertThat(first[3]).isEqualTo(2); // "hello", "world": no [CLS] or [SEP]
      assertThat(first[2]).isZero();
      assertThat(again).containsExactly(first[3], first[0], first[1], first[2]);
      assertThat(first[0]).isEqualTo(tokenizer.encode("public final class HttpClientImpl {").length - 2);
    }
  }
}
