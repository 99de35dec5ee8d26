package dev.cidx.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Names the language of a file, and turns what a user types after {@code --language} into those names.
 *
 * <p>{@link #TABLE} is the only place a language, its extensions and its well-known file names are
 * written down; both lookups are derived from it. Every extension and file name belongs to exactly one
 * language, which the class checks when it loads.
 */
public final class Languages {

  /** The language of every file nothing in the table claims. */
  public static final String TEXT = "text";

  /**
   * One language: its name, its extensions (lower case, no dot), file names it owns whatever their
   * extension (matched case-insensitively), and other names users type for it.
   */
  private record Language(String name, List<String> extensions, List<String> fileNames, List<String> aliases) {
    Language files(String names) {
      return new Language(name, extensions, words(names), aliases);
    }

    Language aka(String names) {
      return new Language(name, extensions, fileNames, words(names));
    }
  }

  private static Language lang(String name, String extensions) {
    return new Language(name, words(extensions), List.of(), List.of());
  }

  private static final List<Language> TABLE = List.of(
      lang("java", "java"),
      lang("kotlin", "kt kts"),
      lang("scala", "scala sc"),
      lang("groovy", "groovy gvy gradle").files("Jenkinsfile"),
      lang("python", "py pyi pyw").files("SConstruct SConscript"),
      lang("javascript", "js jsx mjs cjs").aka("node"),
      lang("typescript", "ts tsx mts cts"),
      lang("go", "go").aka("golang"),
      lang("rust", "rs"),
      lang("c", "c h"),
      lang("cpp", "cc cpp cxx c++ hpp hh hxx h++ ipp").aka("c++ cplusplus"),
      lang("csharp", "cs csx").aka("c# dotnet"),
      lang("objectivec", "m mm").aka("objc objective-c"),
      lang("ruby", "rb rake gemspec").files("Gemfile Rakefile"),
      lang("php", "php phtml"),
      lang("swift", "swift"),
      lang("shell", "sh bash zsh ksh").files(".bashrc .bash_profile .zshrc .profile"),
      lang("powershell", "ps1 psm1"),
      lang("sql", "sql"),
      lang("lua", "lua"),
      lang("perl", "pl pm"),
      lang("r", "r"),
      lang("dart", "dart"),
      lang("elixir", "ex exs"),
      lang("erlang", "erl hrl"),
      lang("haskell", "hs lhs"),
      lang("ocaml", "ml mli"),
      lang("clojure", "clj cljs cljc edn"),
      lang("vue", "vue"),
      lang("svelte", "svelte"),
      lang("html", "html htm xhtml"),
      lang("css", "css"),
      lang("scss", "scss sass"),
      lang("less", "less"),
      lang("markdown", "md markdown mdx"),
      lang("restructuredtext", "rst"),
      lang("asciidoc", "adoc asciidoc"),
      lang("json", "json jsonc json5"),
      lang("yaml", "yaml yml"),
      lang("toml", "toml"),
      lang("xml", "xml xsd xsl xslt plist"),
      lang("properties", "properties"),
      lang("ini", "ini cfg conf"),
      lang("protobuf", "proto"),
      lang("graphql", "graphql gql"),
      lang("terraform", "tf tfvars hcl"),
      lang("dockerfile", "dockerfile").files("Dockerfile Containerfile").aka("docker"),
      lang("makefile", "mk mak make").files("Makefile GNUmakefile"),
      lang("cmake", "cmake").files("CMakeLists.txt"),
      lang(TEXT, "txt text"));

  private static final Map<String, String> BY_EXTENSION = new HashMap<>();
  private static final Map<String, String> BY_FILE_NAME = new HashMap<>();
  /** Every word {@link #resolve} accepts (names, aliases, extensions) and the languages it denotes. */
  private static final Map<String, Set<String>> BY_WORD = new HashMap<>();

  static {
    for (Language language : TABLE) {
      claim(BY_EXTENSION, language.extensions(), language.name());
      claim(BY_FILE_NAME, language.fileNames(), language.name());
      List<String> words = new ArrayList<>(language.extensions());
      words.add(language.name());
      words.addAll(language.aliases());
      for (String word : words) {
        BY_WORD.computeIfAbsent(word, w -> new LinkedHashSet<>()).add(language.name());
      }
    }
  }

  private Languages() {}

  /**
   * The language of a file from its name: a well-known file name first ({@code Dockerfile},
   * {@code CMakeLists.txt}), then its extension; {@value #TEXT} when neither is known.
   */
  public static String of(String relativePath) {
    String name = relativePath.substring(relativePath.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    String byName = ofWellKnownName(name);
    if (byName != null) {
      return byName;
    }
    String extension = extension(name);
    return extension == null ? TEXT : BY_EXTENSION.getOrDefault(extension, TEXT);
  }

  /** The language a well-known file name ({@code Makefile}, {@code Dockerfile.dev}) has, else null. */
  static String ofWellKnownName(String fileName) {
    String name = fileName.toLowerCase(Locale.ROOT);
    if (name.startsWith("dockerfile.")) { // Dockerfile.dev, Dockerfile.prod
      return "dockerfile";
    }
    return BY_FILE_NAME.get(name);
  }

  /** The lower-case extension of a file name, or null; a leading dot ({@code .bashrc}) is not one. */
  static String extension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot <= 0 || dot == fileName.length() - 1 ? null : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** The extensions the table gives a language; empty for an unknown name. */
  static List<String> extensionsOf(String language) {
    return TABLE.stream().filter(l -> l.name().equals(language)).findFirst().map(Language::extensions).orElse(List.of());
  }

  /**
   * The languages {@code --language} input denotes: a language name ({@code python}), another name for
   * one ({@code golang}), or an extension with or without its dot ({@code py}, {@code .ts}); any case.
   *
   * @throws IllegalArgumentException if the input names no language
   */
  public static Set<String> resolve(String userInput) {
    String given = userInput == null ? "" : userInput.strip();
    String word = given.toLowerCase(Locale.ROOT);
    Set<String> languages = BY_WORD.get(word.startsWith(".") ? word.substring(1) : word);
    if (languages == null) {
      throw new IllegalArgumentException((given.isEmpty() ? "no language given" : "unknown language '" + given + "'")
          + ": use a name such as java, python, typescript, go or rust, or an extension such as py or ts");
    }
    return Collections.unmodifiableSet(languages);
  }

  /** Every language name, in table order. */
  public static List<String> names() {
    return TABLE.stream().map(Language::name).toList();
  }

  private static void claim(Map<String, String> owners, List<String> keys, String language) {
    for (String key : keys) {
      String previous = owners.put(key.toLowerCase(Locale.ROOT), language);
      if (previous != null) {
        throw new AssertionError("'" + key + "' belongs to both " + previous + " and " + language);
      }
    }
  }

  private static List<String> words(String spaceSeparated) {
    return List.of(spaceSeparated.split(" "));
  }
}
