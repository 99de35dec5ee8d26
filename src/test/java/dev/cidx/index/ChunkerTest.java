package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cidx.embed.TokenCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  /** One token per whitespace-separated word. */
  private static final TokenCounter WORDS = texts -> texts.stream()
      .mapToInt(t -> t.isBlank() ? 0 : t.strip().split("\\s+").length).toArray();

  /** Words plus one token per line break, as byte-level BPE tokenizers count them. */
  private static final TokenCounter WORDS_AND_LINE_BREAKS = texts -> texts.stream()
      .mapToInt(t -> WORDS.countTokens(List.of(t))[0] + (int) t.chars().filter(c -> c == '\n').count()).toArray();

  /** One token per four characters, as a rough BPE would count minified code. */
  private static final TokenCounter QUARTER_CHARS = texts -> texts.stream()
      .mapToInt(t -> (t.length() + 3) / 4).toArray();

  private static final int UNLIMITED = 1_000_000;

  @Test
  void chunksCarryExactLineNumbersAndText() {
    List<Chunk> chunks = new Chunker(40, 8, UNLIMITED, WORDS).chunk("a/B.java", "java", numberedLines(100));

    assertThat(chunks).extracting(Chunk::startLine, Chunk::endLine)
        .containsExactly(tuple(1, 40), tuple(33, 72), tuple(65, 100));
    assertThat(chunks.get(0).text()).isEqualTo(linesBetween(1, 40));
    assertThat(chunks.get(2).text()).isEqualTo(linesBetween(65, 100));
    assertThat(chunks).allSatisfy(chunk -> {
      assertThat(chunk.path()).isEqualTo("a/B.java");
      assertThat(chunk.language()).isEqualTo("java");
    });
  }

  @Test
  void consecutiveChunksOverlapByOverlapLines() {
    List<Chunk> chunks = new Chunker(10, 3, UNLIMITED, WORDS).chunk("f", "text", numberedLines(57));

    for (int i = 1; i < chunks.size(); i++) {
      assertThat(chunks.get(i).startLine()).isEqualTo(chunks.get(i - 1).endLine() - 3 + 1);
    }
    assertThat(chunks.get(chunks.size() - 1).endLine()).isEqualTo(57);
  }

  @Test
  void fileOfExactlyMaxLinesIsOneChunk() {
    assertThat(new Chunker(40, 8, UNLIMITED, WORDS).chunk("f", "text", numberedLines(40)))
        .extracting(Chunk::startLine, Chunk::endLine).containsExactly(tuple(1, 40));
  }

  @Test
  void lastChunkIsNeverCoveredByThePreviousOne() {
    assertThat(new Chunker(40, 8, UNLIMITED, WORDS).chunk("f", "text", numberedLines(41)))
        .extracting(Chunk::startLine, Chunk::endLine).containsExactly(tuple(1, 40), tuple(33, 41));
  }

  @Test
  void finalLineBreakDoesNotAddALine() {
    List<Chunk> chunks = new Chunker(40, 8, UNLIMITED, WORDS).chunk("f", "text", "one\ntwo\n");
    assertThat(chunks).extracting(Chunk::startLine, Chunk::endLine, Chunk::text)
        .containsExactly(tuple(1, 2, "one\ntwo"));
  }

  @Test
  void everyChunkFitsTheTokenLimit() {
    assertEveryChunkFits(WORDS);
  }

  @Test
  void everyChunkFitsTheTokenLimitWhenLineBreaksCostTokens() {
    assertThat(Chunker.lineBreakTokens(WORDS_AND_LINE_BREAKS)).isEqualTo(1);
    assertEveryChunkFits(WORDS_AND_LINE_BREAKS);
  }

  @Test
  void lineBreaksCostNothingForWhitespaceSplittingCounters() {
    assertThat(Chunker.lineBreakTokens(WORDS)).isZero();
  }

  @Test
  void chunkUsesTheWholeBudgetWhenLineBreaksAreFree() {
    // Five 4-word lines are exactly 20 tokens.
    String text = IntStream.rangeClosed(1, 10).mapToObj(i -> "a b c " + i).collect(Collectors.joining("\n"));
    List<Chunk> chunks = new Chunker(40, 0, 20, WORDS).chunk("f", "text", text);
    assertThat(chunks).extracting(Chunk::startLine, Chunk::endLine).containsExactly(tuple(1, 5), tuple(6, 10));
    assertThat(cost(chunks.get(0).text(), WORDS)).isEqualTo(20);
  }

  private static void assertEveryChunkFits(TokenCounter counter) {
    StringBuilder text = new StringBuilder();
    for (int line = 1; line <= 200; line++) {
      text.append("word ".repeat(line * 7 % 13)).append("end").append('\n');
    }
    int maxTokens = 30;
    List<Chunk> chunks = new Chunker(40, 8, maxTokens, counter).chunk("f", "text", text.toString());

    assertThat(chunks).allSatisfy(chunk -> assertThat(cost(chunk.text(), counter)).isLessThanOrEqualTo(maxTokens));
    assertThat(coveredLines(chunks)).isEqualTo(IntStream.rangeClosed(1, 200).boxed().toList());
    for (int i = 1; i < chunks.size(); i++) {
      assertThat(chunks.get(i).startLine()).isGreaterThan(chunks.get(i - 1).startLine());
      assertThat(chunks.get(i).endLine()).isGreaterThan(chunks.get(i - 1).endLine());
    }
  }

  @Test
  void chunkCutByTokensOverlapsByAtMostHalfItsLines() {
    // Ten 4-word lines: four fit in 16 tokens, so each chunk holds four and overlaps by two, not eight.
    String text = IntStream.rangeClosed(1, 10).mapToObj(i -> "a b c " + i).collect(Collectors.joining("\n"));
    assertThat(new Chunker(40, 8, 16, WORDS).chunk("f", "text", text))
        .extracting(Chunk::startLine, Chunk::endLine)
        .containsExactly(tuple(1, 4), tuple(3, 6), tuple(5, 8), tuple(7, 10));
  }

  @Test
  void lineOverTheLimitIsSplitIntoPiecesWithItsLineNumber() {
    String minified = IntStream.range(0, 1000).mapToObj(i -> "var x" + i + "=" + i + ";").collect(Collectors.joining());
    String text = "first\nsecond\n" + minified + "\nlast\n";
    int maxTokens = 100;
    List<Chunk> chunks = new Chunker(40, 8, maxTokens, QUARTER_CHARS).chunk("m.js", "javascript", text);

    List<Chunk> pieces = chunks.stream().filter(c -> c.startLine() == 3).toList();
    assertThat(pieces).hasSizeGreaterThan(1).allSatisfy(piece -> {
      assertThat(piece.endLine()).isEqualTo(3);
      assertThat(cost(piece.text(), QUARTER_CHARS)).isLessThanOrEqualTo(maxTokens);
    });
    assertThat(pieces.stream().map(Chunk::text).collect(Collectors.joining())).isEqualTo(minified);
    assertThat(chunks.get(0)).extracting(Chunk::startLine, Chunk::endLine).isEqualTo(List.of(1, 2));
    assertThat(chunks.get(chunks.size() - 1)).extracting(Chunk::startLine, Chunk::endLine, Chunk::text)
        .isEqualTo(List.of(4, 4, "last"));
  }

  @Test
  void longLineIsCutAfterWhitespaceWhenPossible() {
    String line = "alpha beta gamma delta ".repeat(100);
    List<Chunk> chunks = new Chunker(40, 8, 50, QUARTER_CHARS).chunk("f", "text", line);
    assertThat(chunks).hasSizeGreaterThan(1);
    assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.text()).endsWith(" "));
  }

  @Test
  void whitespaceOnlyChunksAreSkipped() {
    String text = "code one\n" + "   \n".repeat(30) + "\t\n".repeat(30) + "code two\n";
    List<Chunk> chunks = new Chunker(10, 0, UNLIMITED, WORDS).chunk("f", "text", text);

    assertThat(chunks).hasSize(2).allSatisfy(c -> assertThat(c.text()).isNotBlank());
    assertThat(chunks.get(0).startLine()).isEqualTo(1);
    assertThat(chunks.get(1).endLine()).isEqualTo(62);
    assertThat(chunks.get(1).text()).endsWith("code two");
  }

  @Test
  void emptyOrBlankFileHasNoChunks() {
    Chunker chunker = new Chunker(40, 8, UNLIMITED, WORDS);
    assertThat(chunker.chunk("f", "text", "")).isEmpty();
    assertThat(chunker.chunk("f", "text", "\n\n  \n\t")).isEmpty();
  }

  @Test
  void windowCutByTheLineLimitEndsBeforeANearbyBlankLine() {
    List<String> lines = numberedLineList(60);
    lines.set(35, ""); // line 36
    List<Chunk> chunks = new Chunker(40, 8, UNLIMITED, WORDS).chunk("f", "text", String.join("\n", lines));
    assertThat(chunks).extracting(Chunk::startLine, Chunk::endLine).containsExactly(tuple(1, 35), tuple(28, 60));
  }

  @Test
  void windowCutByTheLineLimitEndsAfterANearbyClosingLine() {
    List<String> lines = numberedLineList(60);
    lines.set(36, "  }"); // line 37
    List<Chunk> chunks = new Chunker(40, 8, UNLIMITED, WORDS).chunk("f", "text", String.join("\n", lines));
    assertThat(chunks).extracting(Chunk::startLine, Chunk::endLine).containsExactly(tuple(1, 37), tuple(30, 60));
  }

  @Test
  void boundaryFarFromTheCutIsIgnored() {
    List<String> lines = numberedLineList(60);
    lines.set(20, ""); // line 21: more than a fifth of the window back
    List<Chunk> chunks = new Chunker(40, 8, UNLIMITED, WORDS).chunk("f", "text", String.join("\n", lines));
    assertThat(chunks.get(0).endLine()).isEqualTo(40);
  }

  @Test
  void rejectsBadSettingsNamingTheValue() {
    assertThatThrownBy(() -> new Chunker(0, 0, 10, WORDS)).hasMessage("maxLines (0) must be positive");
    assertThatThrownBy(() -> new Chunker(10, 10, 10, WORDS))
        .hasMessage("overlapLines (10) must be between 0 and maxLines - 1 (9)");
    assertThatThrownBy(() -> new Chunker(10, 2, 0, WORDS)).hasMessage("maxTokens (0) must be positive");
  }

  @Test
  void rejectsCounterThatMiscounts() {
    Chunker chunker = new Chunker(10, 2, 100, texts -> new int[texts.size() == 3 && texts.get(1).equals("a =") ? 3 : 1]);
    assertThatThrownBy(() -> chunker.chunk("f", "text", "a\nb\nc"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("token counter returned 1 counts for 3 lines");
  }

  /** What the model would count for the chunk's text as it will be embedded. */
  private static int cost(String chunkText, TokenCounter counter) {
    return counter.countTokens(List.of(chunkText))[0];
  }

  private static List<Integer> coveredLines(List<Chunk> chunks) {
    return chunks.stream().flatMap(c -> IntStream.rangeClosed(c.startLine(), c.endLine()).boxed())
        .distinct().sorted().toList();
  }

  private static List<String> numberedLineList(int count) {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      lines.add("line " + i);
    }
    return lines;
  }

  private static String numberedLines(int count) {
    return String.join("\n", numberedLineList(count)) + "\n";
  }

  private static String linesBetween(int first, int last) {
    return String.join("\n", numberedLineList(last).subList(first - 1, last));
  }
}
