package dev.cidx.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PathGlobTest {

  @Test
  void starStaysWithinASegment_andAPatternWithoutSlashMatchesAnySuffix() {
    PathGlob glob = PathGlob.compile("*.java");
    assertThat(glob.matches("A.java")).isTrue();
    assertThat(glob.matches("src/a/B.java")).isTrue();
    assertThat(glob.matches("src/a/B.javax")).isFalse();
    assertThat(PathGlob.compile("src*").matches("src/a/B.java")).isTrue();
    assertThat(PathGlob.compile("s*a").matches("src/a")).isFalse();
  }

  @Test
  void bareName_matchesADirectoryAnywhere() {
    PathGlob glob = PathGlob.compile("test");
    assertThat(glob.matches("src/test/java/A.java")).isTrue();
    assertThat(glob.matches("test/A.java")).isTrue();
    assertThat(glob.matches("src/testing/A.java")).isFalse();
    assertThat(glob.matches("src/contest/A.java")).isFalse();
  }

  @Test
  void patternWithSlash_isAnchoredAtTheRoot_andMatchesEverythingUnderADirectory() {
    PathGlob glob = PathGlob.compile("src/main");
    assertThat(glob.matches("src/main/java/A.java")).isTrue();
    assertThat(glob.matches("lib/src/main/A.java")).isFalse();
    assertThat(PathGlob.compile("src/main/").matches("src/main/A.java")).isTrue();
    assertThat(PathGlob.compile("/docs").matches("docs/a.md")).isTrue();
    assertThat(PathGlob.compile("/docs").matches("site/docs/a.md")).isFalse();
    assertThat(PathGlob.compile("./docs").matches("docs/a.md")).isTrue();
  }

  @Test
  void doubleStar_crossesSegments_includingNone() {
    PathGlob glob = PathGlob.compile("src/**/*.java");
    assertThat(glob.matches("src/A.java")).isTrue();
    assertThat(glob.matches("src/a/b/c/A.java")).isTrue();
    assertThat(glob.matches("lib/src/A.java")).isFalse();
    assertThat(PathGlob.compile("**/gen/**").matches("a/b/gen/x/Y.java")).isTrue();
    assertThat(PathGlob.compile("src/**").matches("src/x/Y.java")).isTrue();
  }

  @Test
  void questionMarkAndClasses_matchOneCharacterButNeverASlash() {
    assertThat(PathGlob.compile("?.c").matches("dir/a.c")).isTrue();
    assertThat(PathGlob.compile("?.c").matches("dir/ab.c")).isFalse();
    assertThat(PathGlob.compile("[ab].c").matches("b.c")).isTrue();
    assertThat(PathGlob.compile("[ab].c").matches("c.c")).isFalse();
    assertThat(PathGlob.compile("[!ab].c").matches("c.c")).isTrue();
    assertThat(PathGlob.compile("[!ab].c").matches("a.c")).isFalse();
    assertThat(PathGlob.compile("file[0-9].txt").matches("file7.txt")).isTrue();
    assertThat(PathGlob.compile("a[!x]b").matches("a/b")).isFalse();
  }

  @Test
  void braces_matchAnyAlternative() {
    PathGlob glob = PathGlob.compile("*.{java,kt}");
    assertThat(glob.matches("src/A.java")).isTrue();
    assertThat(glob.matches("src/A.kt")).isTrue();
    assertThat(glob.matches("src/A.py")).isFalse();
    assertThat(PathGlob.compile("{src,lib}/**/*.{c,h}").matches("lib/x/y.h")).isTrue();
  }

  @Test
  void regexCharacters_areLiteral() {
    assertThat(PathGlob.compile("a+b(1).txt").matches("a+b(1).txt")).isTrue();
    assertThat(PathGlob.compile("a.txt").matches("abtxt")).isFalse();
    assertThat(PathGlob.compile("\\*.txt").matches("*.txt")).isTrue();
    assertThat(PathGlob.compile("\\*.txt").matches("a.txt")).isFalse();
  }

  @Test
  void invalidGlobs_areRejectedWithTheReason() {
    assertThatThrownBy(() -> PathGlob.compile("src/[ab"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid glob 'src/[ab': unclosed [");
    assertThatThrownBy(() -> PathGlob.compile("*.{java,kt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid glob '*.{java,kt': unclosed {");
    assertThatThrownBy(() -> PathGlob.compile("a\\"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid glob 'a\\': trailing \\");
    assertThatThrownBy(() -> PathGlob.compile("/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid glob '/': it names no path");
  }

  @Test
  void nestedBracesAndLiteralPunctuation() {
    PathGlob glob = PathGlob.compile("{src,lib/{a,b}}/*.c");
    assertThat(glob.matches("src/x.c")).isTrue();
    assertThat(glob.matches("lib/b/x.c")).isTrue();
    assertThat(glob.matches("lib/c/x.c")).isFalse();
    assertThat(PathGlob.compile("a,b}.txt").matches("a,b}.txt")).isTrue();
    assertThat(PathGlob.compile("[]x].c").matches("].c")).isTrue();
    assertThat(PathGlob.compile("[-x].c").matches("-.c")).isTrue();
    assertThat(PathGlob.compile("*.ü").matches("dir/straße.ü")).isTrue();
  }

  @Test
  void backwardsRange_isRejected() {
    assertThatThrownBy(() -> PathGlob.compile("[z-a].c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid glob '[z-a].c': range z-a is backwards");
  }

  /** A backtracking regex takes hours here (C(200, 12) ways to place the stars); an automaton, microseconds. */
  @Test
  void manyStarsAgainstALongName_answerAtOnce() {
    String name = "a".repeat(200);
    PathGlob glob = PathGlob.compile("*a*a*a*a*a*a*a*a*a*a*a*a*b");
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThat(glob.matches("dir/" + name)).isFalse());
  }

  @Test
  void globTooComplexToBuild_isRejectedAsInvalid() {
    String glob = "*{a,b}".repeat(40) + "?".repeat(40) + "[!x]".repeat(40) + "*c";
    assertThatThrownBy(() -> org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> PathGlob.compile(glob).matches("a/b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("too complex to match: simplify it");
  }
}
