package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryVectorCacheTest {
  private final List<String> embedded = new ArrayList<>();

  private float[] embed(String text) {
    embedded.add(text);
    return new float[] {text.length(), 1f};
  }

  @Test
  void aRepeatedQueryIsEmbeddedOnce() {
    QueryVectorCache cache = new QueryVectorCache(4);

    float[] first = cache.get("retry upload", this::embed);
    float[] again = cache.get("retry upload", this::embed);

    assertThat(embedded).containsExactly("retry upload");
    assertThat(again).containsExactly(first);
  }

  @Test
  void theLeastRecentlyUsedQueryIsDroppedPastCapacity() {
    QueryVectorCache cache = new QueryVectorCache(2);
    cache.get("a", this::embed);
    cache.get("b", this::embed);
    cache.get("a", this::embed); // "b" is now the least recently used
    cache.get("c", this::embed);

    cache.get("a", this::embed);
    cache.get("b", this::embed);

    assertThat(embedded).containsExactly("a", "b", "c", "b");
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void aCallerThatChangesItsVectorDoesNotChangeTheCachedOne() {
    QueryVectorCache cache = new QueryVectorCache(2);
    cache.get("q", this::embed)[0] = 99f;

    assertThat(cache.get("q", this::embed)[0]).isEqualTo(1f);
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new QueryVectorCache(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
