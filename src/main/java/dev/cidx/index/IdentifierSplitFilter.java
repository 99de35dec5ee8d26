package dev.cidx.index;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;

/**
 * Follows each token with its identifier parts; see {@link CodeAnalyzer} for the rules and positions.
 *
 * <p>Written instead of using {@code WordDelimiterGraphFilter} for two reasons: that filter keeps
 * acronyms glued to the next word ({@code XMLHttp} stays one part), and it emits a token graph that
 * must be flattened for indexing and handled specially at query time. This filter's output is flat by
 * construction.
 */
final class IdentifierSplitFilter extends TokenFilter {
  private final CharTermAttribute termAtt = addAttribute(CharTermAttribute.class);
  private final OffsetAttribute offsetAtt = addAttribute(OffsetAttribute.class);
  private final PositionIncrementAttribute posIncAtt = addAttribute(PositionIncrementAttribute.class);
  private final TypeAttribute typeAtt = addAttribute(TypeAttribute.class);

  private char[] word = new char[32];
  private int wordStartOffset;
  /** Start and end (exclusive) of each part in {@link #word}: two ints per part. */
  private int[] parts = new int[16];
  private int partCount;
  private int nextPart;

  IdentifierSplitFilter(TokenStream input) {
    super(input);
  }

  @Override
  public boolean incrementToken() throws IOException {
    if (nextPart < partCount) {
      int start = parts[2 * nextPart];
      int end = parts[2 * nextPart + 1];
      clearAttributes();
      termAtt.copyBuffer(word, start, end - start);
      offsetAtt.setOffset(wordStartOffset + start, wordStartOffset + end);
      posIncAtt.setPositionIncrement(nextPart == 0 ? 0 : 1);
      typeAtt.setType(CodeAnalyzer.TYPE_PART);
      nextPart++;
      return true;
    }
    if (!input.incrementToken()) {
      return false;
    }
    int length = termAtt.length();
    if (word.length < length) {
      word = new char[length];
    }
    System.arraycopy(termAtt.buffer(), 0, word, 0, length);
    wordStartOffset = offsetAtt.startOffset();
    split(length);
    nextPart = 0;
    if (partCount == 1 && parts[0] == 0 && parts[1] == length) {
      partCount = 0; // a plain word: its only part would repeat it
    }
    typeAtt.setType(CodeAnalyzer.TYPE_WORD);
    return true;
  }

  /** Fills {@link #parts} from {@code word[0, length)}. */
  private void split(int length) {
    partCount = 0;
    int start = -1;
    for (int i = 0; i < length; i++) {
      char c = word[i];
      if (c == '_' || c == '$') {
        if (start >= 0) {
          addPart(start, i);
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      } else if (isBoundary(i, length)) {
        addPart(start, i);
        start = i;
      }
    }
    if (start >= 0) {
      addPart(start, length);
    }
  }

  /** Whether a part starts at {@code i}, given that {@code word[i - 1]} is in the same part so far. */
  private boolean isBoundary(int i, int length) {
    char prev = word[i - 1];
    char c = word[i];
    if (Character.isDigit(prev) != Character.isDigit(c)) {
      return true; // utf|8, response|2
    }
    if (Character.isUpperCase(c)) {
      if (Character.isLowerCase(prev)) {
        return true; // parse|Header
      }
      // An acronym ends before the capital that starts a lowercase word: XML|Http, HTTP|Response.
      return Character.isUpperCase(prev) && i + 1 < length && Character.isLowerCase(word[i + 1]);
    }
    return false;
  }

  private void addPart(int start, int end) {
    if (2 * partCount + 2 > parts.length) {
      parts = Arrays.copyOf(parts, parts.length * 2);
    }
    parts[2 * partCount] = start;
    parts[2 * partCount + 1] = end;
    partCount++;
  }

  @Override
  public void reset() throws IOException {
    super.reset();
    partCount = 0;
    nextPart = 0;
  }
}
