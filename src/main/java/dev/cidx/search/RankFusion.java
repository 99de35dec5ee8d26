package dev.cidx.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal Rank Fusion (Cormack et al., 2009): each list contributes {@code 1 / (K + rank)} for every
 * chunk it ranks. Ranks, not scores, are fused because BM25 scores and cosine similarities live on
 * unrelated scales. K = 60 is the paper's constant: it flattens the head so one list's first place
 * cannot outvote agreement between the two.
 *
 * <p>The fused score is divided by its maximum, {@code 2 / (K + 1)} (first in both lists), so it reads
 * as 0..1 and {@code --min-score} means the same across queries.
 */
final class RankFusion {
  static final int K = 60;
  private static final double MAX = 2.0 / (K + 1);

  private RankFusion() {}

  static List<Searcher.Ranked> fuse(List<SemanticSearch.Match> semantic, List<ScoredDoc> fullText) {
    Map<Integer, double[]> fused = new LinkedHashMap<>();
    Map<Integer, Integer> semanticRank = new LinkedHashMap<>();
    Map<Integer, Integer> ftsRank = new LinkedHashMap<>();
    for (int i = 0; i < semantic.size(); i++) {
      int doc = semantic.get(i).doc();
      fused.computeIfAbsent(doc, d -> new double[1])[0] += 1.0 / (K + i + 1);
      semanticRank.put(doc, i + 1);
    }
    for (int i = 0; i < fullText.size(); i++) {
      int doc = fullText.get(i).doc();
      fused.computeIfAbsent(doc, d -> new double[1])[0] += 1.0 / (K + i + 1);
      ftsRank.put(doc, i + 1);
    }
    List<Searcher.Ranked> out = new ArrayList<>(fused.size());
    fused.forEach((doc, score) ->
        out.add(new Searcher.Ranked(doc, score[0] / MAX, semanticRank.get(doc), ftsRank.get(doc))));
    // Ties (same fused score) go to the chunk the full-text search ranked higher: exact words are the
    // stronger evidence when the two signals are otherwise balanced.
    out.sort(Comparator.comparingDouble(Searcher.Ranked::score).reversed()
        .thenComparingInt(r -> r.ftsRank() == null ? Integer.MAX_VALUE : r.ftsRank())
        .thenComparingInt(Searcher.Ranked::doc));
    return out;
  }
}
