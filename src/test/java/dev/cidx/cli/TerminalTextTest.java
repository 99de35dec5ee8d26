package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

  @Test
  void plainText_isReturnedAsItIs() {
    String text = "src/main/Foo.java: if (a\t< b) { return \"\\n\"; } // é ü 中文";
    assertThat(TerminalText.line(text)).isSameAs(text);
  }

  @Test
  void escape_isShownAsHex() {
    assertThat(TerminalText.line("\u001b]0;pwned\u0007 \u001b[2J")).isEqualTo("\\x1b]0;pwned\\x07 \\x1b[2J");
  }

  @Test
  void otherC0ControlsAndDel_areShownAsHex() {
    assertThat(TerminalText.line("a\u0000b\u0008c\u007fd")).isEqualTo("a\\x00b\\x08c\\x7fd");
  }

  @Test
  void newlineAndCarriageReturn_inOneLine_areShownSoNoLineCanBeForged() {
    assertThat(TerminalText.line("evil\nforged\rline")).isEqualTo("evil\\nforged\\rline");
  }

  @Test
  void newlines_inMultiLineText_stay_butCarriageReturnsDoNot() {
    assertThat(TerminalText.lines("one\ntwo\rthree\n")).isEqualTo("one\ntwo\\rthree\n");
  }

  @Test
  void tab_stays() {
    assertThat(TerminalText.line("a\tb")).isEqualTo("a\tb");
  }

  @Test
  void c1Controls_areShownAsUnicodeEscapes() {
    assertThat(TerminalText.line("\u009b31m \u0085 \u0080")).isEqualTo("\\u009b31m \\u0085 \\u0080");
  }

  @Test
  void bidiControls_areShownAsUnicodeEscapes() {
    assertThat(TerminalText.line("if (isAdmin\u202e \u2066// check\u2069 \u202a\u202c"))
        .isEqualTo("if (isAdmin\\u202e \\u2066// check\\u2069 \\u202a\\u202c");
  }

  @Test
  void neighboursOfTheBidiControls_stay() {
    assertThat(TerminalText.line("\u2029\u202f\u2065\u206a\u00a0")).isEqualTo("\u2029\u202f\u2065\u206a\u00a0");
  }

  @Test
  void null_staysNull() {
    assertThat(TerminalText.line(null)).isNull();
  }
}
