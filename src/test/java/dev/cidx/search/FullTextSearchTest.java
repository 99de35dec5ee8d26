package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.index.Chunk;
import dev.cidx.index.ChunkDocuments;
import dev.cidx.index.ChunkQueries;
import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.SearchMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FullTextSearchTest {
  private ByteBuffersDirectory directory = new ByteBuffersDirectory();
  private DirectoryReader reader;
  private IndexSearcher searcher;

  @BeforeEach
  void index() throws IOException {
    open(List.of(
        chunk("src/Parser.java", "java", "String parseHeaderLine(String raw) {\n  return raw.trim();\n}"),
        chunk("src/Limits.java", "java", "static final int HTTP_HEADER_MAX = 8192;"),
        chunk("src/Loose.java", "java",
            "// parse the input, then the header\nvoid run() { parse(input); header(out); parse(more); }"),
        chunk("src/Bytes.java", "java", "byte[] data = Files.readAllBytes(path);"),
        chunk("docs/prose.md", "markdown", "To read all bytes of a file, call the helper."),
        chunk("docs/words.md", "markdown", "read the file, then all of it: bytes come later"),
        chunk("src/Upper.java", "java", "class Foo {}"),
        chunk("lib/lower.py", "python", "def foo(): pass"),
        chunk("src/Decoder.java", "java", "Utf8Decoder decoder = new Utf8Decoder();")));
  }

  private void open(List<Chunk> chunks) throws IOException {
    try (IndexWriter writer = new IndexWriter(directory, ChunkDocuments.writerConfig())) {
      for (Chunk chunk : chunks) {
        writer.addDocument(ChunkDocuments.chunk(chunk, 1_000L));
      }
    }
    reader = DirectoryReader.open(directory);
    searcher = new IndexSearcher(reader);
  }

  @AfterEach
  void close() throws IOException {
    reader.close();
    directory.close();
  }

  private static Chunk chunk(String path, String language, String text) {
    return new Chunk(path, language, 1, (int) text.lines().count(), text);
  }

  private static QueryRequest.Builder fts(String query) {
    return QueryRequest.builder(query).mode(SearchMode.FTS);
  }

  private List<String> paths(QueryRequest.Builder request) throws Exception {
    return paths(request.build(), null, 20);
  }

  private List<String> paths(QueryRequest request, Query filter, int n) throws Exception {
    List<String> paths = new ArrayList<>();
    for (ScoredDoc hit : FullTextSearch.search(searcher, request, filter, n)) {
      paths.add(ChunkDocuments.pathOf(searcher.storedFields().document(hit.doc())));
    }
    return paths;
  }

  private List<String> filtered(QueryRequest.Builder request) throws Exception {
    QueryRequest built = request.build();
    Query filter = ChunkFilter.of(built).toQuery(ChunkQueries.indexedPaths(reader));
    return paths(built, filter, 20);
  }

  @Test
  void separateWords_mustAllMatch_inAnyCaseStyle() throws Exception {
    assertThat(paths(fts("parse header")))
        .containsExactlyInAnyOrder("src/Parser.java", "src/Loose.java"); // Limits has no "parse"
  }

  @Test
  void anyWord_findsChunksWithSomeOfTheWords() throws Exception {
    assertThat(paths(fts("parse header").any(true)))
        .containsExactlyInAnyOrder("src/Parser.java", "src/Limits.java", "src/Loose.java");
  }

  @Test
  void aWordThatIsNowhere_matchesNothing_evenBesideWordsThatAre() throws Exception {
    assertThat(paths(fts("parse frobnicate"))).isEmpty();
    assertThat(paths(fts("zqxParseProbe"))).isEmpty(); // its part "parse" is everywhere, "zqx" nowhere
    assertThat(paths(fts("\"header line\" frobnicate"))).isEmpty();
    assertThat(paths(fts("zqxParseProbe").any(true))).contains("src/Parser.java", "src/Loose.java");
  }

  @Test
  void hybridsFullTextHalf_matchesAnyWord() throws Exception {
    QueryRequest hybrid = QueryRequest.builder("parse frobnicate").mode(SearchMode.HYBRID).build();
    assertThat(paths(hybrid, null, 20)).containsExactlyInAnyOrder("src/Parser.java", "src/Loose.java");
  }

  @Test
  void exactIdentifier_matchesAlone_whenNoOtherChunkHasAllItsParts() throws Exception {
    assertThat(paths(fts("parseHeaderLine"))).containsExactly("src/Parser.java");
    assertThat(paths(fts("parseHeaderLine").any(true))).startsWith("src/Parser.java").contains("src/Loose.java");
  }

  @Test
  void identifierSpelledAnotherWay_matchesWhenAllItsPartsAreInOneChunk() throws Exception {
    assertThat(paths(fts("line_header_parse"))).containsExactly("src/Parser.java");
    assertThat(paths(fts("parseHeader"))).containsExactlyInAnyOrder("src/Parser.java", "src/Loose.java");
  }

  @Test
  void exactToken_ranksAboveAChunkWithOnlyItsParts() throws Exception {
    reopen(List.of(chunk("Exact.java", "java", "int fooBar = 1; // and some other words here to dilute"),
        chunk("Parts.java", "java", "foo(); bar(); foo(); bar();")));
    assertThat(paths(fts("fooBar"))).containsExactly("Exact.java", "Parts.java");
  }

  @Test
  void identifierInAnotherCaseStyle_matchesThroughItsParts() throws Exception {
    assertThat(paths(fts("httpHeaderMax"))).startsWith("src/Limits.java");
  }

  @Test
  void quotedPhrase_needsTheWordsInOrder_inProseOrInOneIdentifier() throws Exception {
    assertThat(paths(fts("\"read all bytes\"")))
        .containsExactlyInAnyOrder("src/Bytes.java", "docs/prose.md");
  }

  @Test
  void caseSensitive_distinguishesFooFromFoo() throws Exception {
    assertThat(paths(fts("Foo").caseSensitive(true))).containsExactly("src/Upper.java");
    assertThat(paths(fts("foo").caseSensitive(true))).containsExactly("lib/lower.py");
    assertThat(paths(fts("foo"))).containsExactlyInAnyOrder("src/Upper.java", "lib/lower.py");
  }

  @Test
  void editDistanceOne_findsATransposedWord() throws Exception {
    assertThat(paths(fts("prase"))).isEmpty();
    assertThat(paths(fts("prase").editDistance(1)))
        .containsExactlyInAnyOrder("src/Parser.java", "src/Loose.java");
  }

  @Test
  void editDistanceTwo_allowsTwoSubstitutions() throws Exception {
    assertThat(paths(fts("hxadxr").editDistance(1))).isEmpty();
    assertThat(paths(fts("hxadxr").editDistance(2)))
        .containsExactlyInAnyOrder("src/Parser.java", "src/Limits.java", "src/Loose.java");
  }

  @Test
  void editDistanceThree_goesBeyondLuceneFuzzyLimit() throws Exception {
    assertThat(paths(fts("dxcxdxr").editDistance(2))).doesNotContain("src/Decoder.java");
    assertThat(paths(fts("dxcxdxr").editDistance(3))).startsWith("src/Decoder.java");
  }

  @Test
  void fuzzyExactMatch_ranksAboveNearMatches() throws Exception {
    assertThat(paths(fts("parse").editDistance(2))).startsWith("src/Loose.java");
  }

  @Test
  void regex_matchesWholeTokensCaseInsensitively() throws Exception {
    assertThat(paths(fts("parse.*Line").regex(true))).containsExactly("src/Parser.java");
    assertThat(paths(fts("parse.*line").regex(true).caseSensitive(true))).isEmpty();
    assertThat(paths(fts("parse.*Line").regex(true).caseSensitive(true))).containsExactly("src/Parser.java");
  }

  @Test
  void regexPieces_mustAllMatch_unlessAny() throws Exception {
    assertThat(paths(fts("parse.*Line hea.er").regex(true))).containsExactly("src/Parser.java");
    assertThat(paths(fts("parse.*Line zz.*z").regex(true))).isEmpty();
    assertThat(paths(fts("parse.*Line zz.*z").regex(true).any(true))).containsExactly("src/Parser.java");
  }

  @Test
  void regexMatchingEveryTerm_stillAnswers() throws Exception {
    QueryRequest request = fts(".*").regex(true).limit(100).build();
    assertThat(paths(request, null, 100)).hasSize(9);
  }

  @Test
  void invalidRegex_isABadQueryNamingTheRegex() {
    assertThatThrownBy(() -> paths(fts("parse(").regex(true)))
        .isInstanceOfSatisfying(SearchException.class,
            e -> assertThat(e.reason()).isEqualTo(SearchException.Reason.BAD_QUERY))
        .hasMessage("invalid regex 'parse(': unexpected end-of-string");
  }

  @Test
  void queryOfOnlyPunctuation_isABadQuery() {
    assertThatThrownBy(() -> paths(fts("() {}")))
        .isInstanceOfSatisfying(SearchException.class,
            e -> assertThat(e.reason()).isEqualTo(SearchException.Reason.BAD_QUERY))
        .hasMessage("query '() {}' has nothing to search for: full-text search matches words of letters, "
            + "digits, _ and $");
  }

  @Test
  void languageFilters_includeAndExclude() throws Exception {
    assertThat(filtered(fts("read all bytes foo").any(true).language("markdown")))
        .containsExactlyInAnyOrder("docs/prose.md", "docs/words.md");
    assertThat(filtered(fts("read all bytes foo").any(true).excludeLanguage("markdown").excludeLanguage("python")))
        .containsExactlyInAnyOrder("src/Bytes.java", "src/Upper.java");
  }

  @Test
  void pathFilters_areOred_andExclusionWins() throws Exception {
    assertThat(filtered(fts("parse header").any(true).pathFilter("Parser.java").pathFilter("Limits.*")))
        .containsExactlyInAnyOrder("src/Parser.java", "src/Limits.java");
    assertThat(filtered(fts("parse header").any(true).pathFilter("src/**").excludePath("Limits.java")))
        .containsExactlyInAnyOrder("src/Parser.java", "src/Loose.java");
    assertThat(filtered(fts("parse header").any(true).pathFilter("nothing/here"))).isEmpty();
  }

  @Test
  void filteredQuery_returnsTheLimitEvenWhenManyBetterDocumentsAreFilteredOut() throws Exception {
    List<Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      chunks.add(chunk("java/T" + i + ".java", "java", "token token token"));
    }
    for (int i = 0; i < 5; i++) {
      chunks.add(chunk("py/t" + i + ".py", "python", "token and a lot of other words around it " + i));
    }
    reopen(chunks);
    QueryRequest request = fts("token").language("python").build();
    Query filter = ChunkFilter.of(request).toQuery(ChunkQueries.indexedPaths(reader));
    assertThat(paths(request, filter, 5)).hasSize(5).allMatch(path -> path.startsWith("py/"));
  }

  @Test
  void regexMatchingMoreTermsThanCanBeScored_stillAnswers() throws Exception {
    StringBuilder words = new StringBuilder();
    for (int i = 0; i < 2 * IndexSearcher.getMaxClauseCount(); i++) {
      words.append("word").append(i).append(' ');
    }
    reopen(List.of(chunk("big.txt", "text", words.toString()), chunk("small.txt", "text", "word")));
    assertThat(paths(fts("word.*").regex(true))).containsExactlyInAnyOrder("big.txt", "small.txt");
  }

  @Test
  void queryWithMoreWordsThanLuceneAllows_isABadQuery() {
    String query = "w ".repeat(IndexSearcher.getMaxClauseCount() + 1).strip();
    assertThatThrownBy(() -> paths(fts(query)))
        .isInstanceOfSatisfying(SearchException.class,
            e -> assertThat(e.reason()).isEqualTo(SearchException.Reason.BAD_QUERY))
        .hasMessageEndingWith("' has too many words: the limit is 1024 terms");
  }

  @Test
  void aQueryNamingAFile_ranksThatFileFirst_aboveChunksThatOnlyUseTheName() throws Exception {
    reopen(List.of(
        chunk("src/Users.java", "java", "LocalCache c = new LocalCache(); LocalCache d = LocalCache.copy(c);"),
        chunk("src/cache/LocalCache.java", "java", "V get(K key) { LocalCache.hits++; return map.get(key); }"),
        chunk("src/Other.java", "java", "int size() { return 0; }")));
    assertThat(paths(fts("LocalCache"))).containsExactly("src/cache/LocalCache.java", "src/Users.java");
    assertThat(paths(fts("local cache").any(true))).startsWith("src/cache/LocalCache.java");
  }

  @Test
  void anyWord_ignoresEnglishFunctionWords_unlessTheyAreAllThereIs() throws Exception {
    reopen(List.of(
        chunk("README.md", "markdown", "This is the place where the story of the code is told"),
        chunk("src/Cache.java", "java", "class Cache { void evict(Entry entry) {} }")));
    assertThat(paths(fts("evict the entry of the cache").any(true))).containsExactly("src/Cache.java");
    assertThat(paths(QueryRequest.builder("evict the entry of the cache").mode(SearchMode.HYBRID).build(), null, 20))
        .containsExactly("src/Cache.java");
    assertThat(paths(fts("the of").any(true))).containsExactly("README.md");
    assertThat(paths(fts("\"the story\"").any(true))).as("a phrase keeps its words").containsExactly("README.md");
  }

  private void reopen(List<Chunk> chunks) throws IOException {
    close();
    directory = new ByteBuffersDirectory();
    open(chunks);
  }

  @Test
  void matchedTerms_areSpelledAsInTheText() {
    String text = "String parseHeaderLine(String raw) { return HTTP_HEADER_MAX; }";
    assertThat(FullTextSearch.matchedTerms(text, fts("parse header").build()))
        .containsExactly("parse", "Header", "HEADER");
    assertThat(FullTextSearch.matchedTerms(text, fts("parseHeaderLine raw").build()))
        .containsExactly("parseHeaderLine", "raw", "HEADER"); // a part alone still earns credit
    assertThat(FullTextSearch.matchedTerms(text, fts("prase").editDistance(1).build()))
        .containsExactly("parse");
    assertThat(FullTextSearch.matchedTerms(text, fts("string").caseSensitive(true).build())).isEmpty();
    assertThat(FullTextSearch.matchedTerms(text, fts("parse.*line").regex(true).build()))
        .containsExactly("parseHeaderLine");
  }
}
