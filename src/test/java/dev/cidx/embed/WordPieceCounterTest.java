package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java counter must agree with the native tokenizer on every text it counts: checked here on every
 * line of cidx's own sources (or of {@code -Dcidx.wordpiece.corpus=DIR}, e.g. java.base) and on texts
 * made to trip it.
 */
class WordPieceCounterTest {
  private static final List<String> TRICKY = List.of(
      "", " ", "\t\t", "a", "A", "HTTP2ClientImpl", "##", "## x", "a##b", "[CLS]", "x[MASK]y", "[mask]", "[unk]",
      "ZZZZqqqqXXXXjjjj", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "x = y->z; // !@#$%^&*()_+-={}[]|\\:;\"'<>,.?/~`", "0x7fffL 1e-9 3.14f", "café", "naïve façade",
      "中文 text", "a\u000bb", "a\u0000b", "tab\tand space", "\u00a0nbsp", "emoji \ud83d\ude00");

  @ParameterizedTest
  @EnumSource(EmbeddingModel.class)
  void countsWhatItCountsExactlyAsTheNativeTokenizerDoes(EmbeddingModel model) throws IOException {
    NativeLibraries.prepare();
    WordPieceCounter counter = WordPieceCounter.of(tokenizerJson(model)).orElseThrow();
    List<String> texts = new ArrayList<>(TRICKY);
    texts.addAll(corpusLines());
    try (ModelTokenizer tokenizer = ModelTokenizer.load(model)) {
      int[] expected = tokenizer.countNatively(texts);
      int counted = 0;
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        int count = counter.count(texts.get(i));
        if (count != WordPieceCounter.DECLINED) {
          counted++;
          if (count != expected[i]) {
            wrong.add(texts.get(i) + " -> " + count + ", native " + expected[i]);
          }
        }
      }
      assertThat(wrong).isEmpty();
      assertThat(counted).isGreaterThan(texts.size() * 9 / 10);
      assertThat(tokenizer.countTokens(texts)).containsExactly(expected);
    }
  }

  @ParameterizedTest
  @EnumSource(EmbeddingModel.class)
  void declinesWhatTheNativeTokenizerTreatsSpecially(EmbeddingModel model) throws IOException {
    WordPieceCounter counter = WordPieceCounter.of(tokenizerJson(model)).orElseThrow();
    for (String text : List.of("café", "中文", "a\u000bb", "a\u0000b", "\u00a0", "x[MASK]y", "[CLS]", "line\r")) {
      assertThat(counter.count(text)).as(text).isEqualTo(WordPieceCounter.DECLINED);
    }
    assertThat(counter.count("hello world")).isEqualTo(2);
  }

  private static com.fasterxml.jackson.databind.JsonNode tokenizerJson(EmbeddingModel model) throws IOException {
    try (InputStream in = WordPieceCounterTest.class.getResourceAsStream(model.tokenizerResource())) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** Distinct lines of the corpus's source files, at most 200,000 unless {@code -Dcidx.wordpiece.maxLines}. */
  private static List<String> corpusLines() throws IOException {
    Path root = Path.of(System.getProperty("cidx.wordpiece.corpus", "src/main/java"));
    Set<String> lines = new LinkedHashSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
        try {
          lines.addAll(Files.readString(f).lines().toList());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return lines.stream().limit(Long.getLong("cidx.wordpiece.maxLines", 200_000)).toList();
  }
}
