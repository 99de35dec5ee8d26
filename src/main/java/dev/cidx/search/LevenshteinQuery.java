package dev.cidx.search;

import java.io.IOException;
import java.util.Objects;
import org.apache.lucene.index.FilteredTermsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BoostAttribute;
import org.apache.lucene.search.MultiTermQuery;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.AttributeSource;
import org.apache.lucene.util.BytesRef;

/**
 * Matches terms within any number of edits of a term, counting a transposition as one edit, as
 * {@link org.apache.lucene.search.FuzzyQuery} does. It exists because FuzzyQuery stops at two edits:
 * its Levenshtein automata are precomputed only up to that distance. This query instead walks the
 * field's whole term dictionary and computes a bounded distance per term, which is linear in the number
 * of terms; a repository's dictionary is small enough for that to take milliseconds, so it is used only
 * for distances FuzzyQuery cannot do.
 *
 * <p>Scoring matches FuzzyQuery's: each matching term is boosted by {@code 1 - edits / shorterLength},
 * and only the best {@code maxExpansions} terms are kept, blended by document frequency.
 */
final class LevenshteinQuery extends MultiTermQuery {
  private final Term term;
  private final int maxEdits;

  LevenshteinQuery(Term term, int maxEdits, int maxExpansions) {
    super(term.field(), new TopTermsBlendedFreqScoringRewrite(maxExpansions));
    if (maxEdits < 1) {
      throw new IllegalArgumentException("maxEdits (" + maxEdits + ") must be positive");
    }
    this.term = term;
    this.maxEdits = maxEdits;
  }

  @Override
  protected TermsEnum getTermsEnum(Terms terms, AttributeSource atts) throws IOException {
    String target = term.text();
    int targetLength = target.codePointCount(0, target.length());
    return new FilteredTermsEnum(terms.iterator(), false) {
      private final BoostAttribute boost = attributes().addAttribute(BoostAttribute.class);

      @Override
      protected AcceptStatus accept(BytesRef candidate) {
        String text = candidate.utf8ToString();
        int edits = distance(target, text, maxEdits);
        int shorter = Math.min(targetLength, text.codePointCount(0, text.length()));
        if (edits > maxEdits || edits >= shorter && edits > 0) {
          return AcceptStatus.NO; // too far, or so short that nothing of it would be left
        }
        boost.setBoost(1f - (float) edits / shorter);
        return AcceptStatus.YES;
      }
    };
  }

  /**
   * The optimal-string-alignment distance between {@code a} and {@code b} in code points, or
   * {@code max + 1} as soon as it must exceed {@code max}.
   */
  static int distance(String a, String b, int max) {
    int[] s = a.codePoints().toArray();
    int[] t = b.codePoints().toArray();
    if (Math.abs(s.length - t.length) > max) {
      return max + 1;
    }
    int[] before = new int[t.length + 1];
    int[] previous = new int[t.length + 1];
    int[] current = new int[t.length + 1];
    for (int j = 0; j <= t.length; j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= s.length; i++) {
      current[0] = i;
      int rowMin = i;
      for (int j = 1; j <= t.length; j++) {
        int cost = s[i - 1] == t[j - 1] ? 0 : 1;
        int d = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
        if (i > 1 && j > 1 && s[i - 1] == t[j - 2] && s[i - 2] == t[j - 1]) {
          d = Math.min(d, before[j - 2] + 1);
        }
        current[j] = d;
        rowMin = Math.min(rowMin, d);
      }
      // Every later cell grows from this row (or, by a transposition, the one before it, whose
      // minimum is then at least max), so once a whole row exceeds max the distance does too.
      if (rowMin > max) {
        return max + 1;
      }
      int[] recycled = before;
      before = previous;
      previous = current;
      current = recycled;
    }
    return Math.min(previous[t.length], max + 1);
  }

  @Override
  public void visit(QueryVisitor visitor) {
    if (visitor.acceptField(field)) {
      visitor.visitLeaf(this); // no automaton to offer, unlike FuzzyQuery
    }
  }

  @Override
  public String toString(String field) {
    return (term.field().equals(field) ? "" : term.field() + ":") + term.text() + "~" + maxEdits;
  }

  @Override
  public boolean equals(Object other) {
    return super.equals(other) && other instanceof LevenshteinQuery that
        && term.equals(that.term) && maxEdits == that.maxEdits;
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), term, maxEdits);
  }
}
