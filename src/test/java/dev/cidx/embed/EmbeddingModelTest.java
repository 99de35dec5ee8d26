package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddingModelTest {
  @Test
  void byNameAcceptsModelNamesInAnyCaseAndWithTheQuantizedSuffix() {
    assertThat(EmbeddingModel.byName("bge-small-en-v1.5")).isEqualTo(EmbeddingModel.BGE_SMALL_EN_V15);
    assertThat(EmbeddingModel.byName(" BGE-Small-EN-v1.5-q ")).isEqualTo(EmbeddingModel.BGE_SMALL_EN_V15);
    assertThat(EmbeddingModel.byName("all-MiniLM-L6-v2")).isEqualTo(EmbeddingModel.ALL_MINILM_L6_V2);
  }

  @Test
  void byNameRejectsUnknownNamesListingTheKnownOnes() {
    assertThatThrownBy(() -> EmbeddingModel.byName("voyage-code-3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown embedding model 'voyage-code-3': choose one of bge-small-en-v1.5, all-minilm-l6-v2");
  }

  @Test
  void onlyBgeHasAQueryInstruction() {
    assertThat(EmbeddingModel.BGE_SMALL_EN_V15.queryInstruction()).isNotEmpty();
    assertThat(EmbeddingModel.ALL_MINILM_L6_V2.queryInstruction()).isEmpty();
  }

  @Test
  void resourcesAreOnTheClassPath() {
    for (EmbeddingModel model : EmbeddingModel.values()) {
      assertThat(EmbeddingModel.class.getResource(model.onnxResource())).as(model.onnxResource()).isNotNull();
      assertThat(EmbeddingModel.class.getResource(model.tokenizerResource())).as(model.tokenizerResource()).isNotNull();
    }
  }
}
