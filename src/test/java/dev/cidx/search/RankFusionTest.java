package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RankFusionTest {
  private static SemanticSearch.Match sem(int doc) {
    return new SemanticSearch.Match(doc, 0.5f);
  }

  private static ScoredDoc fts(int doc) {
    return new ScoredDoc(doc, 3f);
  }

  @Test
  void aChunkFoundByBothOutranksOneFoundFirstByOnlyOne() {
    List<Searcher.Ranked> fused = RankFusion.fuse(List.of(sem(1), sem(2)), List.of(fts(3), fts(2)));
    assertThat(fused.get(0).doc()).isEqualTo(2);
    assertThat(fused.get(0).semanticRank()).isEqualTo(2);
    assertThat(fused.get(0).ftsRank()).isEqualTo(2);
  }

  @Test
  void scoresAreNormalisedSoFirstInBothIsOne() {
    List<Searcher.Ranked> fused = RankFusion.fuse(List.of(sem(7)), List.of(fts(7)));
    assertThat(fused).hasSize(1);
    assertThat(fused.get(0).score()).isEqualTo(1.0);
  }

  @Test
  void eachResultRecordsWhichSearchFoundIt() {
    List<Searcher.Ranked> fused = RankFusion.fuse(List.of(sem(1)), List.of(fts(2)));
    assertThat(fused).extracting(Searcher.Ranked::doc).containsExactly(2, 1);
    assertThat(fused.get(0).semanticRank()).isNull();
    assertThat(fused.get(0).ftsRank()).isEqualTo(1);
    assertThat(fused.get(1).semanticRank()).isEqualTo(1);
    assertThat(fused.get(1).ftsRank()).isNull();
  }

  @Test
  void rrfUsesKSixty() {
    List<Searcher.Ranked> fused = RankFusion.fuse(List.of(sem(1)), List.of());
    assertThat(fused.get(0).score()).isCloseTo((1.0 / 61) / (2.0 / 61), org.assertj.core.data.Offset.offset(1e-12));
  }
}
