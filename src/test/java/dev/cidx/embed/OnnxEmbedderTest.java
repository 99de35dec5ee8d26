package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxEmbedderTest {
  private static final String READ_FILE = String.join("\n",
      "public static String readAll(Path path) throws IOException {",
      "  try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {",
      "    StringBuilder text = new StringBuilder();",
      "    String line;",
      "    while ((line = reader.readLine()) != null) {",
      "      text.append(line).append('\\n');",
      "    }",
      "    return text.toString();",
      "  }",
      "}");
  private static final String UNRELATED = String.join("\n",
      "public int compareTo(Version other) {",
      "  int byMajor = Integer.compare(major, other.major);",
      "  if (byMajor != 0) {",
      "    return byMajor;",
      "  }",
      "  return Integer.compare(minor, other.minor);",
      "}");
  private static final List<String> DOCUMENTS = List.of(
      READ_FILE,
      UNRELATED,
      "x",
      "HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();",
      "/** Returns the number of elements in this list. */\nint size();",
      String.join("\n", Collections.nCopies(12, "  map.put(key, map.getOrDefault(key, 0) + 1);")),
      "");

  private static OnnxEmbedder bge;
  private static OnnxEmbedder miniLm;

  @BeforeAll
  static void loadModels() {
    bge = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);
    miniLm = TestModels.shared(EmbeddingModel.ALL_MINILM_L6_V2);
  }

  @Test
  void vectorsHave384DimensionsAndUnitLength() {
    for (OnnxEmbedder embedder : List.of(bge, miniLm)) {
      List<float[]> vectors = new ArrayList<>(embedder.embedDocuments(DOCUMENTS));
      vectors.add(embedder.embedQuery("read a file into a string"));
      for (float[] v : vectors) {
        assertThat(v).hasSize(384);
        assertThat(norm(v)).isCloseTo(1.0, within(1e-5));
      }
    }
  }

  @Test
  void queryIsCloserToMatchingCodeThanToUnrelatedCode() {
    for (OnnxEmbedder embedder : List.of(bge, miniLm)) {
      float[] query = embedder.embedQuery("read a file into a string");
      List<float[]> docs = embedder.embedDocuments(List.of(READ_FILE, UNRELATED));
      assertThat(dot(query, docs.get(0)))
          .as(embedder.model().modelName())
          .isGreaterThan(dot(query, docs.get(1)) + 0.05);
    }
  }

  @Test
  void documentsEmbeddedTogetherEqualEachEmbeddedAloneWhateverTheListHoldsAndItsOrder() {
    for (OnnxEmbedder embedder : List.of(bge, miniLm)) {
      List<float[]> singles = new ArrayList<>();
      for (String doc : DOCUMENTS) {
        singles.add(embedder.embedDocuments(List.of(doc)).get(0));
      }
      List<String> shuffled = new ArrayList<>(DOCUMENTS);
      Collections.shuffle(shuffled, new Random(42));
      List<String> subsetWithDuplicate = List.of(DOCUMENTS.get(3), DOCUMENTS.get(0), DOCUMENTS.get(3));
      for (List<String> texts : List.of(DOCUMENTS, shuffled, subsetWithDuplicate)) {
        List<float[]> together = embedder.embedDocuments(texts);
        assertThat(together).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
          assertThat(together.get(i))
              .as("%s, text %d", embedder.model().modelName(), i)
              .containsExactly(singles.get(DOCUMENTS.indexOf(texts.get(i))), within(1e-4f));
        }
      }
    }
  }

  @Test
  void bgeQueriesCarryTheInstructionSoTheyDifferFromTheSameTextAsADocument() {
    String text = "parse an HTTP header";
    float[] query = bge.embedQuery(text);
    float[] document = bge.embedDocuments(List.of(text)).get(0);
    float[] instructed = bge.embedDocuments(List.of(EmbeddingModel.BGE_SMALL_EN_V15.queryInstruction() + text)).get(0);

    assertThat(dot(query, document)).isLessThan(0.999);
    assertThat(query).containsExactly(instructed, within(1e-4f));
  }

  @Test
  void miniLmQueriesHaveNoInstructionSoTheyEqualTheSameTextAsADocument() {
    String text = "parse an HTTP header";
    assertThat(miniLm.embedQuery(text)).containsExactly(miniLm.embedDocuments(List.of(text)).get(0), within(1e-4f));
  }

  @Test
  void tokenCounterCountsWordPiecesWithoutSpecialTokens() {
    int[] counts = bge.tokenCounter().countTokens(List.of("", "hello", "hello world", "readAllBytes()", "   "));
    assertThat(counts).containsExactly(0, 1, 2, 6, 0); // read ##all ##by ##tes ( )
  }

  @Test
  void tokenCounterDoesNotTruncateLongTexts() {
    String longText = String.join(" ", Collections.nCopies(2000, "token"));
    for (OnnxEmbedder embedder : List.of(bge, miniLm)) {
      assertThat(embedder.tokenCounter().countTokens(List.of(longText))).containsExactly(2000);
    }
  }

  @Test
  void textsLongerThanTheModelLimitAreTruncatedNotRejected() {
    String longText = String.join("\n", Collections.nCopies(400, "int value = compute(input, offset);"));
    String sameStart = longText.substring(0, longText.length() / 2);
    for (OnnxEmbedder embedder : List.of(bge, miniLm)) {
      List<float[]> vectors = embedder.embedDocuments(List.of(longText, sameStart));
      assertThat(norm(vectors.get(0))).isCloseTo(1.0, within(1e-5));
      // Both are cut at maxTokens within their common prefix, so the model sees the same tokens.
      assertThat(vectors.get(0)).containsExactly(vectors.get(1), within(1e-4f));
      assertThat(embedder.embedQuery(longText)).hasSize(384);
    }
  }

  @Test
  void embedDocuments_stopsWithCancellation_onceCancelledTurnsTrue_beforeTheRestOfTheBatch() {
    AtomicInteger asked = new AtomicInteger();
    assertThatThrownBy(() -> bge.embedDocuments(DOCUMENTS, () -> asked.incrementAndGet() > 2))
        .isInstanceOf(CancellationException.class).hasMessage("embedding cancelled");
    // Checked before each text: the workers stopped after at most one text each past the cancel.
    assertThat(asked.get()).isLessThan(DOCUMENTS.size() + 1);
    assertThat(bge.embedDocuments(DOCUMENTS, () -> false)).hasSize(DOCUMENTS.size());
  }

  @Test
  void emptyListGivesEmptyResult() {
    assertThat(bge.embedDocuments(List.of())).isEmpty();
  }

  @Test
  void concurrentQueriesAndDocumentsGiveTheSameVectorsAsSequentialCalls() throws Exception {
    float[] expectedQuery = bge.embedQuery("send a request");
    List<float[]> expectedDocs = bge.embedDocuments(DOCUMENTS);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> queries = new ArrayList<>();
      List<Future<List<float[]>>> documents = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        queries.add(threads.submit(() -> bge.embedQuery("send a request")));
        documents.add(threads.submit(() -> bge.embedDocuments(DOCUMENTS)));
      }
      for (Future<float[]> query : queries) {
        assertThat(query.get()).containsExactly(expectedQuery, within(1e-6f));
      }
      for (Future<List<float[]>> docs : documents) {
        for (int i = 0; i < DOCUMENTS.size(); i++) {
          assertThat(docs.get().get(i)).containsExactly(expectedDocs.get(i), within(1e-6f));
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void closingTwiceIsHarmlessAndLaterCallsSayTheEmbedderIsClosed() {
    OnnxEmbedder embedder = TestModels.open(EmbeddingModel.ALL_MINILM_L6_V2);
    assertThat(embedder.embedQuery("hello")).hasSize(384);

    embedder.close();
    embedder.close();

    assertThatThrownBy(() -> embedder.embedQuery("hello"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("embedder for all-minilm-l6-v2 is closed");
  }

  @Test
  void longestTextsRunFirst() {
    long[][] ids = {new long[300], new long[10], new long[20], new long[10], new long[600]};

    assertThat(OnnxEmbedder.longestFirst(ids)).containsExactly(4, 0, 2, 1, 3);
  }

  private static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }
}
