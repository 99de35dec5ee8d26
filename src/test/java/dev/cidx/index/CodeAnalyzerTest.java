package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.junit.jupiter.api.Test;

class CodeAnalyzerTest {

  @Test
  void camelCaseIdentifier_isKeptWholeAndSplitIntoWords() throws IOException {
    assertThat(terms(CodeAnalyzer.caseInsensitive(), "parseHeaderLine"))
        .containsExactly("parseheaderline", "parse", "header", "line");
  }

  @Test
  void snakeCaseConstant_splitsAtUnderscores() throws IOException {
    assertThat(terms(CodeAnalyzer.caseInsensitive(), "HTTP_HEADER_MAX"))
        .containsExactly("http_header_max", "http", "header", "max");
  }

  @Test
  void digits_areSeparateParts() throws IOException {
    assertThat(terms(CodeAnalyzer.caseInsensitive(), "utf8Decoder"))
        .containsExactly("utf8decoder", "utf", "8", "decoder");
  }

  @Test
  void acronyms_endBeforeTheNextCapitalizedWord() throws IOException {
    assertThat(terms(CodeAnalyzer.caseInsensitive(), "XMLHttpRequest"))
        .containsExactly("xmlhttprequest", "xml", "http", "request");
    assertThat(terms(CodeAnalyzer.caseInsensitive(), "getHTTPResponse2"))
        .containsExactly("gethttpresponse2", "get", "http", "response", "2");
  }

  @Test
  void caseSensitiveAnalyzer_keepsCase() throws IOException {
    assertThat(terms(CodeAnalyzer.caseSensitive(), "getHTTPResponse2 Foo foo"))
        .containsExactly("getHTTPResponse2", "get", "HTTP", "Response", "2", "Foo", "foo");
  }

  @Test
  void plainWords_areEmittedOnce_andPunctuationSeparatesTokens() throws IOException {
    assertThat(terms(CodeAnalyzer.caseInsensitive(), "if (a.b != c) { return x; }"))
        .containsExactly("if", "a", "b", "c", "return", "x");
  }

  @Test
  void leadingSigilsAndUnderscores_yieldTheBareName() throws IOException {
    assertThat(terms(CodeAnalyzer.caseInsensitive(), "$scope __init__"))
        .containsExactly("$scope", "scope", "__init__", "init");
  }

  @Test
  void partsFollowTheirWord_soPhrasesMatchAcrossSpellings() throws IOException {
    // word and first part share a position; later parts and the next word advance by one.
    assertThat(positions(CodeAnalyzer.caseInsensitive(), "readAllBytes(in) done"))
        .containsExactly("readallbytes@0", "read@0", "all@1", "bytes@2", "in@3", "done@4");
  }

  @Test
  void partOffsets_pointIntoTheOriginalText() throws IOException {
    List<String> offsets = new ArrayList<>();
    try (TokenStream ts = CodeAnalyzer.caseSensitive().tokenStream("f", "  fooBar")) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      OffsetAttribute offset = ts.addAttribute(OffsetAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        offsets.add(term + ":" + offset.startOffset() + "-" + offset.endOffset());
      }
      ts.end();
    }
    assertThat(offsets).containsExactly("fooBar:2-8", "foo:2-5", "Bar:5-8");
  }

  private static List<String> terms(Analyzer analyzer, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream("f", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    }
    return out;
  }

  private static List<String> positions(Analyzer analyzer, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream("f", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
      ts.reset();
      int pos = -1;
      while (ts.incrementToken()) {
        pos += inc.getPositionIncrement();
        out.add(term + "@" + pos);
      }
      ts.end();
    }
    return out;
  }
}
