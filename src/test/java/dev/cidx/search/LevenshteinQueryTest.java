package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LevenshteinQueryTest {

  @Test
  void distance_countsInsertionsDeletionsSubstitutionsAndTranspositions() {
    assertThat(LevenshteinQuery.distance("parse", "parse", 3)).isZero();
    assertThat(LevenshteinQuery.distance("parse", "prase", 3)).isEqualTo(1);
    assertThat(LevenshteinQuery.distance("parse", "parsed", 3)).isEqualTo(1);
    assertThat(LevenshteinQuery.distance("parse", "pase", 3)).isEqualTo(1);
    assertThat(LevenshteinQuery.distance("decoder", "dxcxdxr", 3)).isEqualTo(3);
    assertThat(LevenshteinQuery.distance("", "abc", 3)).isEqualTo(3);
  }

  @Test
  void distance_stopsAtMaxPlusOne() {
    assertThat(LevenshteinQuery.distance("decoder", "dxcxdxr", 2)).isEqualTo(3);
    assertThat(LevenshteinQuery.distance("a", "abcdefgh", 3)).isEqualTo(4);
    assertThat(LevenshteinQuery.distance("abcdef", "uvwxyz", 3)).isEqualTo(4);
  }

  @Test
  void distance_countsCodePointsNotChars() {
    assertThat(LevenshteinQuery.distance("a\uD83D\uDE00b", "ab", 3)).isEqualTo(1);
  }
}
