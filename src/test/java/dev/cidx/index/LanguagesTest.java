package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cidx.config.CidxConfig;
import org.junit.jupiter.api.Test;

class LanguagesTest {

  @Test
  void of_namesLanguageByExtension() {
    assertThat(Languages.of("src/main/java/Foo.java")).isEqualTo("java");
    assertThat(Languages.of("app/models.py")).isEqualTo("python");
    assertThat(Languages.of("web/index.tsx")).isEqualTo("typescript");
    assertThat(Languages.of("lib.rs")).isEqualTo("rust");
    assertThat(Languages.of("include/util.hpp")).isEqualTo("cpp");
    assertThat(Languages.of("README.md")).isEqualTo("markdown");
    assertThat(Languages.of("config/app.yml")).isEqualTo("yaml");
    assertThat(Languages.of("scripts/build.sh")).isEqualTo("shell");
  }

  @Test
  void of_ignoresCaseOfExtension() {
    assertThat(Languages.of("LEGACY/MAIN.C")).isEqualTo("c");
    assertThat(Languages.of("analysis.R")).isEqualTo("r");
  }

  @Test
  void of_recognisesWellKnownFileNames() {
    assertThat(Languages.of("Dockerfile")).isEqualTo("dockerfile");
    assertThat(Languages.of("deploy/Dockerfile.prod")).isEqualTo("dockerfile");
    assertThat(Languages.of("Makefile")).isEqualTo("makefile");
    assertThat(Languages.of("sub/GNUmakefile")).isEqualTo("makefile");
    assertThat(Languages.of("CMakeLists.txt")).isEqualTo("cmake");
    assertThat(Languages.of("Gemfile")).isEqualTo("ruby");
  }

  @Test
  void of_fallsBackToText() {
    assertThat(Languages.of("LICENSE")).isEqualTo("text");
    assertThat(Languages.of("data.unknownext")).isEqualTo("text");
    assertThat(Languages.of(".hidden")).isEqualTo("text");
    assertThat(Languages.of("trailing.")).isEqualTo("text");
    assertThat(Languages.of("notes.txt")).isEqualTo("text");
  }

  @Test
  void resolve_acceptsNamesExtensionsAndAliasesInAnyCase() {
    assertThat(Languages.resolve("python")).containsExactly("python");
    assertThat(Languages.resolve("Python")).containsExactly("python");
    assertThat(Languages.resolve("py")).containsExactly("python");
    assertThat(Languages.resolve(".py")).containsExactly("python");
    assertThat(Languages.resolve("ts")).containsExactly("typescript");
    assertThat(Languages.resolve(" .TSX ")).containsExactly("typescript");
    assertThat(Languages.resolve("golang")).containsExactly("go");
    assertThat(Languages.resolve("c++")).containsExactly("cpp");
    assertThat(Languages.resolve("yml")).containsExactly("yaml");
  }

  @Test
  void resolve_nameThatIsAlsoAnExtensionDenotesOneLanguage() {
    assertThat(Languages.resolve("c")).containsExactly("c");
    assertThat(Languages.resolve("sql")).containsExactly("sql");
  }

  @Test
  void resolve_everyNameResolvesToItself() {
    for (String name : Languages.names()) {
      assertThat(Languages.resolve(name)).as(name).containsExactly(name);
    }
  }

  @Test
  void resolve_rejectsUnknownInputWithOneLine() {
    assertThatThrownBy(() -> Languages.resolve("cobolx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown language 'cobolx': use a name such as java, python, typescript, go or rust,"
            + " or an extension such as py or ts");
  }

  @Test
  void resolve_rejectsBlankInput() {
    assertThatThrownBy(() -> Languages.resolve("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no language given: use a name such as java, python, typescript, go or rust,"
            + " or an extension such as py or ts");
  }

  @Test
  void everyDefaultExtensionHasALanguage() {
    for (String extension : CidxConfig.DEFAULT_EXTENSIONS) {
      assertThat(Languages.resolve(extension)).as(extension).isNotEmpty();
    }
  }
}
