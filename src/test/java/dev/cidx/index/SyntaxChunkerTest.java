package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.embed.TokenCounter;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.treesitter.TSLanguage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Chunks cut on declaration boundaries, per language, and the fall-backs to line windows. */
class SyntaxChunkerTest {
  /** One token per whitespace-separated word. */
  private static final TokenCounter WORDS = texts -> texts.stream()
      .mapToInt(t -> t.isBlank() ? 0 : t.strip().split("\\s+").length).toArray();

  private static List<Chunk> chunk(String path, String text, int maxTokens) {
    return Chunker.syntaxAware(40, 8, maxTokens, WORDS).chunk(path, Languages.of(path), text);
  }

  private static List<String> ranges(List<Chunk> chunks) {
    return chunks.stream().map(c -> c.startLine() + "-" + c.endLine()).toList();
  }

  private static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  /** Twelve statements of four words each: 48 tokens, over a budget of 40. */
  private static String[] bigBody(String indent, String format) {
    return IntStream.rangeClosed(1, 12).mapToObj(i -> indent + String.format(format, i, i)).toArray(String[]::new);
  }

  private static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }

  static final String JAVA = lines(concat(
      new String[] {
          "package demo;",                            // 1
          "",                                         // 2
          "import java.util.List;",                   // 3
          "",                                         // 4
          "/** A shop. */",                           // 5
          "class Shop {",                             // 6
          "  private final List<String> items;",      // 7
          "  private int count;",                     // 8
          "",                                         // 9
          "  Shop(List<String> items) {",             // 10
          "    this.items = items;",                  // 11
          "  }",                                      // 12
          "",                                         // 13
          "  int size() {",                           // 14
          "    return count;",                        // 15
          "  }",                                      // 16
          "",                                         // 17
          "  void restock(int amount) {"},            // 18
      bigBody("    ", "int a%d = %d;"),               // 19-30
      new String[] {
          "  }",                                      // 31
          "}"}));                                     // 32

  @Test
  void java_headerAndFieldsAlone_smallMethodsMerged_bigMethodSplitOnStatements() {
    List<Chunk> chunks = chunk("src/Shop.java", JAVA, 40);

    assertThat(ranges(chunks)).containsExactly("1-4", "5-9", "10-17", "18-27", "28-32");
    assertThat(chunks.get(1).text()).startsWith("/** A shop. */\nclass Shop {\n  private final List<String> items;");
    assertThat(chunks.get(2).text()).startsWith("  Shop(List<String> items) {").endsWith("return count;\n  }\n");
  }

  @Test
  void java_contextLine_namesPathTypeAndTheMethodAPieceWasCutFrom() {
    List<Chunk> chunks = chunk("src/Shop.java", JAVA, 40);

    assertThat(chunks).extracting(Chunk::context).containsExactly(
        "src/Shop.java",
        "src/Shop.java | class Shop",
        "src/Shop.java | class Shop",
        "src/Shop.java | class Shop | void restock(int amount)",
        "src/Shop.java | class Shop | void restock(int amount)");
    assertThat(chunks.get(3).embeddingText())
        .startsWith("src/Shop.java | class Shop | void restock(int amount)\n  void restock(int amount) {");
    assertThat(chunks.get(3).text()).doesNotContain("src/Shop.java");
  }

  @Test
  void aMethodThatFits_isOneChunkWithExactLines_evenOverTheLineLimit() {
    String[] body = IntStream.rangeClosed(1, 50).mapToObj(i -> "    x();").toArray(String[]::new);
    String text = lines(concat(new String[] {"class A {", "  void f() {"}, body, new String[] {"  }", "}"}));
    // 54 lines, 55 tokens: over 40 lines, within 100 tokens, so the whole file is one chunk.
    assertThat(ranges(chunk("A.java", text, 100))).containsExactly("1-54");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a.py|def one():@    return 1@@@def two(x):@    y = x + 1@    return y@",
      "a.go|package a@@func one() int {@    return 1@}@@func two(x int) int {@    return x + 1@}@",
      "a.ts|export function one(): number {@  return 1;@}@@export function two(x: number): number {@  return x + 1;@}@",
      "a.js|function one() {@  return 1;@}@@function two(x) {@  return x + 1;@}@",
      "a.rs|fn one() -> i32 {@    1@}@@fn two(x: i32) -> i32 {@    x + 1@}@",
      "a.c|int one(void) {@  return 1;@}@@int two(int x) {@  return x + 1;@}@",
      "a.cpp|int one() {@  return 1;@}@@int two(int x) {@  return x + 1;@}@",
      "a.kt|fun one(): Int {@    return 1@}@@fun two(x: Int): Int {@    return x + 1@}@"})
  void eachLanguage_cutsBetweenFunctions_withExactLines(String path, String encoded) {
    String text = encoded.replace('@', '\n');
    int lastLine = (int) text.lines().count();
    // A budget of 11 words holds either function but not both.
    List<Chunk> chunks = chunk(path, text, 11);

    assertThat(chunks).hasSizeGreaterThanOrEqualTo(2);
    assertThat(chunks.get(chunks.size() - 1).endLine()).isEqualTo(lastLine);
    Chunk last = chunks.get(chunks.size() - 1);
    assertThat(last.text().strip()).startsWith(text.lines().filter(l -> l.contains("two")).findFirst().orElseThrow());
    for (int i = 1; i < chunks.size(); i++) {
      assertThat(chunks.get(i).startLine()).isEqualTo(chunks.get(i - 1).endLine() + 1); // no gap, no overlap
    }
    String expectedLast = text.lines().skip(last.startLine() - 1).collect(Collectors.joining("\n"));
    assertThat(last.text()).isEqualTo(expectedLast);
  }

  @Test
  void aFileThatDoesNotParse_isCutIntoTheSameWindowsAsBefore() {
    String broken = JAVA.replace("int size() {", "int size() {{{ ((");
    List<Chunk> syntax = chunk("src/Shop.java", broken, 40);
    List<Chunk> windows = new Chunker(40, 8, 40, WORDS).chunk("src/Shop.java", "java", broken);

    assertThat(syntax).isEqualTo(windows);
  }

  @Test
  void aLanguageWithoutAGrammar_isCutIntoWindows() {
    String text = JAVA;
    assertThat(chunk("src/Shop.scala", text, 40))
        .isEqualTo(new Chunker(40, 8, 40, WORDS).chunk("src/Shop.scala", "scala", text));
  }

  @Test
  void deeplyNestedInput_neitherHangsNorCrashes_andKeepsEveryLine() {
    StringBuilder text = new StringBuilder("class A {\n  void f() {\n");
    for (int i = 0; i < 3000; i++) {
      text.append("{\n");
    }
    text.append("x();\n");
    for (int i = 0; i < 3000; i++) {
      text.append("}\n");
    }
    text.append("  }\n}\n");
    List<Chunk> chunks = chunk("A.java", text.toString(), 40);

    assertThat(chunks).isNotEmpty();
    assertThat(chunks.get(0).startLine()).isEqualTo(1);
    assertThat(chunks.get(chunks.size() - 1).endLine()).isEqualTo(6005);
  }

  @Test
  void aParseStoppedByItsTimeout_isSeenAsNoTree_notCrashedOn() {
    TSLanguage java = TreeSitterGrammars.grammar("java").orElseThrow();
    String big = "class A { void f() { x(); } }\n".repeat(50_000);

    assertThat(TreeSitterGrammars.hasTree(TreeSitterGrammars.parser(java, 1).parseString(null, big))).isFalse();
    assertThat(TreeSitterGrammars.hasTree(TreeSitterGrammars.parser(java, 60_000_000).parseString(null, big)))
        .isTrue();
  }

  @Test
  void python_classHeaderAlone_andMethodsWithTheirDecorators() {
    String text = lines(
        "class Shop:",                  // 1
        "    '''A shop.'''",             // 2
        "    limit = 10",                // 3
        "",                              // 4
        "    @property",                 // 5
        "    def size(self):",           // 6
        "        return self.count + 1 + 2 + 3 + 4", // 7
        "",                              // 8
        "    def add(self, item):",      // 9
        "        self.items.append(item)  # and more words"); // 10
    List<Chunk> chunks = chunk("shop.py", text, 14);

    assertThat(ranges(chunks)).containsExactly("1-4", "5-8", "9-10");
    assertThat(chunks.get(1).context()).isEqualTo("shop.py | class Shop");
  }
}
