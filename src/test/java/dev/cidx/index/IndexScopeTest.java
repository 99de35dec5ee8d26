package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IndexScopeTest {
  @Test
  void aPathCoversItselfAndEverythingBelowIt_only() {
    IndexScope scope = IndexScope.of(List.of("src/main", "docs/a.md"));
    assertThat(scope.covers("src/main")).isTrue();
    assertThat(scope.covers("src/main/A.java")).isTrue();
    assertThat(scope.covers("src/main/deep/B.java")).isTrue();
    assertThat(scope.covers("docs/a.md")).isTrue();
    assertThat(scope.covers("src/mainframe/C.java")).isFalse();
    assertThat(scope.covers("src/A.java")).isFalse();
    assertThat(scope.covers("docs/a.md.bak")).isFalse();
    assertThat(IndexScope.ALL.covers("anything/at/all")).isTrue();
  }

  @Test
  void scopesAddUp_andTheWholeRepositoryAbsorbsPaths() {
    IndexScope a = IndexScope.of(List.of("a"));
    IndexScope b = IndexScope.of(List.of("b", "a"));
    assertThat(a.plus(b).paths()).containsExactly("a", "b");
    assertThat(a.plus(IndexScope.ALL)).isEqualTo(IndexScope.ALL);
    assertThat(IndexScope.ALL.plus(a)).isEqualTo(IndexScope.ALL);
    assertThat(a.plus(IndexScope.REBUILD)).isEqualTo(IndexScope.REBUILD);
  }

  @Test
  void tooManyPaths_becomeTheWholeRepository() {
    List<String> many = IntStream.rangeClosed(0, IndexScope.MAX_PATHS).mapToObj(i -> "f" + i + ".java").toList();
    assertThat(IndexScope.of(many)).isEqualTo(IndexScope.ALL);
    assertThat(IndexScope.of(many.subList(0, IndexScope.MAX_PATHS)).size()).isEqualTo(IndexScope.MAX_PATHS);
    assertThat(IndexScope.of(many.subList(0, 1000)).plus(IndexScope.of(many.subList(1000, many.size()))))
        .isEqualTo(IndexScope.ALL);
  }

  @Test
  void aRebuildIsAlwaysOfTheWholeRepository() {
    assertThatThrownBy(() -> new IndexScope(true, java.util.Set.of("a")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
