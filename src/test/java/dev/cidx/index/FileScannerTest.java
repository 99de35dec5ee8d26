package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileScannerTest {
  @TempDir Path root;

  // ---- in a git work tree

  @Test
  void gitRepository_listsTrackedAndUntrackedButNotIgnoredFiles() throws Exception {
    gitInit();
    write(".gitignore", "generated/\n");
    write("src/Tracked.java", "class Tracked {}");
    write("generated/Ignored.java", "class Ignored {}");
    commitAll();
    write("src/Untracked.java", "class Untracked {}");

    assertThat(scannedPaths()).containsExactly("src/Tracked.java", "src/Untracked.java");
  }

  @Test
  void gitRepository_honoursGitignoreThreeDirectoriesDown() throws Exception {
    gitInit();
    write("a/b/c/.gitignore", "secret.java\n");
    write("a/b/c/secret.java", "x");
    write("a/b/c/open.java", "x");
    write("a/secret.java", "x");

    assertThat(scannedPaths()).containsExactly("a/b/c/open.java", "a/secret.java");
  }

  @Test
  void gitRepository_honoursNegation() throws Exception {
    gitInit();
    write(".gitignore", "*.log\n!keep.log\n");
    write("debug.log", "x");
    write("logs/keep.log", "x");

    assertThat(scannedPaths(withExtensions("log"))).containsExactly("logs/keep.log");
  }

  @Test
  void gitRepository_honoursInfoExclude() throws Exception {
    gitInit();
    write(".git/info/exclude", "Local.java\n");
    write("Local.java", "x");
    write("Shared.java", "x");

    assertThat(scannedPaths()).containsExactly("Shared.java");
  }

  @Test
  void gitRepository_skipsTrackedFileDeletedFromDisk() throws Exception {
    gitInit();
    write("Gone.java", "x");
    write("Here.java", "x");
    commitAll();
    Files.delete(root.resolve("Gone.java"));

    assertThat(scannedPaths()).containsExactly("Here.java");
  }

  @Test
  void gitRepository_skipsSubmodulesAndNestedRepositories() throws Exception {
    gitInit();
    write("Main.java", "x");
    commitAll();
    String head = git("rev-parse", "HEAD").strip();
    git("update-index", "--add", "--cacheinfo", "160000," + head + ",lib");
    Files.createDirectories(root.resolve("lib"));
    git("init", "-q", "nested");
    write("nested/Inner.java", "x");

    assertThat(scannedPaths()).containsExactly("Main.java");
  }

  @Test
  void gitRepository_rootInASubdirectoryListsItRelativeToItselfWithParentRules() throws Exception {
    gitInit();
    write(".gitignore", "*.gen.java\n");
    write("Outside.java", "x");
    write("module/src/A.java", "x");
    write("module/src/A.gen.java", "x");

    FileScanner scanner = new FileScanner(new RepoPaths(root.resolve("module")), CidxConfig.defaults());

    assertThat(scanner.scan()).extracting(SourceFile::path).containsExactly("src/A.java");
    assertThat(scanner.accepts("src/A.gen.java")).isFalse();
    assertThat(scanner.accepts("src/A.java")).isTrue();
  }

  @Test
  void gitRepository_listsNonAsciiPaths() throws Exception {
    gitInit();
    write("ünïcödé/Grüße.java", "x");
    commitAll();
    write("ünïcödé/Ñeu.java", "x");

    assertThat(scannedPaths()).containsExactly("ünïcödé/Grüße.java", "ünïcödé/Ñeu.java");
  }

  @Test
  void gitRepository_appliesExcludeDirsAtAnyDepth() throws Exception {
    gitInit();
    writeExcludeDirsTree();
    assertThat(scannedPaths()).containsExactly("app/build.java", "app/src/Main.java");
  }

  @Test
  void gitRepository_acceptsAgreesWithScan() throws Exception {
    gitInit();
    write(".gitignore", "*.log\n!keep.log\nout/\n");
    write("a/b/c/.gitignore", "hidden.java\n");
    write(".git/info/exclude", "Local.java\n");
    write("Tracked.java", "x");
    write("ignored.log", "x");
    write("ignored.java", "x");
    commitAll();
    git("add", "-f", "ignored.java"); // tracked files stay listed whatever the rules say
    write("keep.log", "x");
    write("out/Gen.java", "x");
    write("a/b/c/hidden.java", "x");
    write("a/b/c/Seen.java", "x");
    write("Local.java", "x");
    write("node_modules/x.js", "x");
    write("data.bin", "x");

    assertAcceptsAgreesWithScan(new FileScanner(new RepoPaths(root), withExtensions("log")));
  }

  // ---- outside git: .gitignore through JGit

  @Test
  void plainDirectory_honoursNestedGitignoresNegationsAndAnchors() throws Exception {
    write(".gitignore", "*.log\n!keep.log\nout/\n/Anchored.java\n");
    write("Anchored.java", "x");
    write("sub/Anchored.java", "x");
    write("debug.log", "x");
    write("sub/keep.log", "x");
    write("out/Gen.java", "x");
    write("sub/out", "a file, which a directory-only pattern does not match");
    write("sub/deeper/down/.gitignore", "Local.java\n");
    write("sub/deeper/down/Local.java", "x");
    write("sub/deeper/Local.java", "x");

    assertThat(scannedPaths(withExtensions("java", "log", ""))).containsExactly(
        "sub/Anchored.java", "sub/deeper/Local.java", "sub/keep.log");
  }

  @Test
  void plainDirectory_cannotReincludeFileUnderIgnoredDirectory() throws Exception {
    write(".gitignore", "out/\n!out/Keep.java\n");
    write("out/Keep.java", "x");
    write("Main.java", "x");

    assertThat(scannedPaths()).containsExactly("Main.java");
  }

  @Test
  void plainDirectory_appliesExcludeDirsAtAnyDepth() throws Exception {
    writeExcludeDirsTree();
    assertThat(scannedPaths()).containsExactly("app/build.java", "app/src/Main.java");
  }

  @Test
  void plainDirectory_acceptsAgreesWithScan() throws Exception {
    write(".gitignore", "*.log\n!keep.log\nout/\n");
    write("a/b/c/.gitignore", "hidden.java\n");
    write("Main.java", "x");
    write("ignored.log", "x");
    write("keep.log", "x");
    write("out/Gen.java", "x");
    write("a/b/c/hidden.java", "x");
    write("a/b/c/Seen.java", "x");
    write("target/Built.java", "x");

    assertAcceptsAgreesWithScan(new FileScanner(new RepoPaths(root), withExtensions("log")));
  }

  @Test
  void plainDirectory_acceptsSeesGitignoreEditedAfterAScan() throws Exception {
    write("Main.java", "x");
    FileScanner scanner = new FileScanner(new RepoPaths(root), CidxConfig.defaults());
    assertThat(scanner.scan()).hasSize(1);

    write(".gitignore", "Main.java\n# a longer file than before\n");

    assertThat(scanner.accepts("Main.java")).isFalse();
  }

  // ---- checks made on every candidate

  @Test
  void keepsConfiguredExtensionsAndWellKnownFileNames() throws Exception {
    write("Main.java", "x");
    write("README.md", "x");
    write("UPPER.JAVA", "x");
    write("Dockerfile", "FROM x");
    write("Makefile", "all:");
    write("GNUmakefile", "all:");
    write("LICENSE", "x");
    write("image.svgz", "x");

    assertThat(scannedPaths(withExtensions("java", "dockerfile", "makefile")))
        .containsExactly("Dockerfile", "GNUmakefile", "Main.java", "Makefile", "UPPER.JAVA");
  }

  @Test
  void extensionsMayBeConfiguredWithADotOrInUpperCase() throws Exception {
    write("a.py", "x");
    write("b.rs", "x");
    assertThat(scannedPaths(withExtensions(".PY"))).containsExactly("a.py");
  }

  @Test
  void skipsFilesLargerThanMaxFileSize() throws Exception {
    write("Fits.java", "x".repeat(100));
    write("TooBig.java", "x".repeat(101));
    CidxConfig config = CidxConfig.defaults().withMaxFileSize(100);

    assertThat(new FileScanner(new RepoPaths(root), config).scan()).extracting(SourceFile::path)
        .containsExactly("Fits.java");
  }

  @Test
  void skipsBinaryFiles() throws Exception {
    write("Text.java", "class Text {}");
    Files.write(root.resolve("Binary.java"), new byte[] {'c', 'l', 0, 's', 's'});

    assertThat(scannedPaths()).containsExactly("Text.java");
  }

  @Test
  void keepsLatin1AndUtf16FilesAndReadsTheirText() throws Exception {
    Files.write(root.resolve("Latin.java"), "// Größe\n".getBytes(Charset.forName("ISO-8859-1")));
    byte[] utf16 = "// naïve\r\n".getBytes(StandardCharsets.UTF_16);  // big-endian with a BOM
    Files.write(root.resolve("Wide.java"), utf16);

    List<SourceFile> files = new FileScanner(new RepoPaths(root), CidxConfig.defaults()).scan();

    assertThat(files).extracting(SourceFile::path).containsExactly("Latin.java", "Wide.java");
    assertThat(FileText.read(files.get(0).absolutePath())).contains("// Größe\n");
    assertThat(FileText.read(files.get(1).absolutePath())).contains("// naïve\n");
  }

  @Test
  void skipsSymlinksLeavingTheRootButKeepsThoseInside() throws Exception {
    Path outside = Files.createTempFile("cidx-outside", ".java");
    try {
      write("Real.java", "x");
      Files.createSymbolicLink(root.resolve("Inside.java"), root.resolve("Real.java"));
      Files.createSymbolicLink(root.resolve("Escape.java"), outside);

      assertThat(scannedPaths()).containsExactly("Inside.java", "Real.java");
    } finally {
      Files.delete(outside);
    }
  }

  @Test
  void describesEachFile() throws Exception {
    write("pkg/Main.java", "class Main {}");

    SourceFile file = new FileScanner(new RepoPaths(root), CidxConfig.defaults()).scan().get(0);

    assertThat(file.path()).isEqualTo("pkg/Main.java");
    assertThat(file.absolutePath()).isEqualTo(root.resolve("pkg/Main.java"));
    assertThat(file.size()).isEqualTo(13);
    assertThat(file.modifiedMillis()).isEqualTo(Files.getLastModifiedTime(root.resolve("pkg/Main.java")).toMillis());
    assertThat(file.language()).isEqualTo("java");
  }

  @Test
  void acceptsRejectsPathsThatAreNotPlainAndRelative() throws Exception {
    write("Main.java", "x");
    FileScanner scanner = new FileScanner(new RepoPaths(root), CidxConfig.defaults());

    assertThat(scanner.accepts("Main.java")).isTrue();
    assertThat(scanner.accepts("../Main.java")).isFalse();
    assertThat(scanner.accepts("/Main.java")).isFalse();
    assertThat(scanner.accepts("./Main.java")).isFalse();
    assertThat(scanner.accepts("")).isFalse();
  }

  @Test
  void scanIsSortedByPath() throws Exception {
    for (String path : List.of("b/Z.java", "a/Y.java", "B.java", "a.java", "a/b/X.java")) {
      write(path, "x");
    }
    assertThat(scannedPaths()).isSorted().hasSize(5);
  }

  // ---- scoped scans, for a watcher's updates

  @Test
  void scanOfPaths_agreesWithTheFullScanWithinThem_inAGitWorkTree() throws Exception {
    gitInit();
    writeScopedTree();
    commitAll();
    assertScopedScansAgreeWithTheFullScan();
  }

  @Test
  void scanOfPaths_agreesWithTheFullScanWithinThem_inAPlainDirectory() throws Exception {
    writeScopedTree();
    assertScopedScansAgreeWithTheFullScan();
  }

  @Test
  void scanOfPaths_dropsPathsThatLeaveTheRoot_andFindsNothingForDeletedOnes() throws Exception {
    write("src/A.java", "x");
    FileScanner scanner = new FileScanner(new RepoPaths(root), CidxConfig.defaults());
    assertThat(scanner.scan(List.of("../outside", "/etc", "src/Gone.java", "gone/dir"))).isEmpty();
  }

  @Test
  void scanOfPaths_neverFollowsALinkOutOfTheRoot(@TempDir Path elsewhere) throws Exception {
    Files.writeString(elsewhere.resolve("Secret.java"), "class Secret {}");
    Files.createDirectories(elsewhere.resolve("sub"));
    Files.writeString(elsewhere.resolve("sub/Deeper.java"), "class Deeper {}");
    write("src/A.java", "x");
    Files.createSymbolicLink(root.resolve("link"), elsewhere);
    FileScanner scanner = new FileScanner(new RepoPaths(root), CidxConfig.defaults());
    assertThat(scanner.scan(List.of("link/Secret.java", "link/sub", "link"))).isEmpty();
    assertThat(scanner.scan(List.of("src/A.java"))).hasSize(1);
  }

  @Test
  void watchesDirectory_skipsExcludedAndIgnoredDirectories() throws Exception {
    writeScopedTree();
    FileScanner scanner = new FileScanner(new RepoPaths(root), CidxConfig.defaults());
    assertThat(scanner.watchesDirectory("")).isTrue();
    assertThat(scanner.watchesDirectory("src/main")).isTrue();
    assertThat(scanner.watchesDirectory("web/node_modules")).isFalse();
    assertThat(scanner.watchesDirectory("web/node_modules/pkg")).isFalse();
    assertThat(scanner.watchesDirectory("generated")).isFalse();
    assertThat(scanner.watchesDirectory("generated/deep")).isFalse();
    assertThat(scanner.watchesDirectory(".git")).isFalse();
    assertThat(scanner.watchesDirectory(".code-indexer")).isFalse();
    assertThat(scanner.wantsFileName("src/main/A.java")).isTrue();
    assertThat(scanner.wantsFileName("src/main/.A.java.swp")).isFalse();
    assertThat(scanner.wantsFileName("web/node_modules/pkg/index.js")).isFalse();
  }

  private void writeScopedTree() throws IOException {
    write(".gitignore", "generated/\n");
    write("src/main/A.java", "class A {}");
    write("src/main/B.java", "class B {}");
    write("src/main/notes.bin", "x");
    write("src/test/ATest.java", "class ATest {}");
    write("generated/deep/Gen.java", "class Gen {}");
    write("web/node_modules/pkg/index.js", "x");
    write("web/app.ts", "x");
  }

  private void assertScopedScansAgreeWithTheFullScan() throws IOException {
    FileScanner scanner = new FileScanner(new RepoPaths(root), CidxConfig.defaults());
    List<String> all = scanner.scan().stream().map(SourceFile::path).toList();
    for (List<String> scope : List.of(List.of("src"), List.of("src/main"), List.of("src/main/A.java"),
        List.of("src/main/A.java", "web"), List.of("generated"), List.of("generated/deep/Gen.java"), List.of("web"))) {
      List<String> expected = all.stream()
          .filter(p -> scope.stream().anyMatch(s -> p.equals(s) || p.startsWith(s + "/")))
          .toList();
      assertThat(scanner.scan(scope).stream().map(SourceFile::path).toList()).as("scope %s", scope)
          .containsExactlyElementsOf(expected);
    }
  }

  // ---- helpers

  private void writeExcludeDirsTree() throws IOException {
    write("app/src/Main.java", "x");
    write("app/build.java", "a file named like an excluded directory");
    write("app/build/Gen.java", "x");
    write("web/node_modules/pkg/index.js", "x");
    write("deep/er/still/target/classes/A.java", "x");
    write(".code-indexer/config.json", "{}");
    write(".idea/workspace.xml", "<x/>");
  }

  private void assertAcceptsAgreesWithScan(FileScanner scanner) throws IOException {
    List<String> scanned = scanner.scan().stream().map(SourceFile::path).toList();
    List<String> accepted = new ArrayList<>();
    for (String path : allFiles()) {
      if (scanner.accepts(path)) {
        accepted.add(path);
      }
    }
    assertThat(scanned).isNotEmpty();
    assertThat(accepted).containsExactlyElementsOf(scanned);
  }

  private List<String> allFiles() throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .filter(p -> !p.startsWith(".git/"))
          .sorted()
          .toList();
    }
  }

  private List<String> scannedPaths() throws IOException {
    return scannedPaths(CidxConfig.defaults());
  }

  private List<String> scannedPaths(CidxConfig config) throws IOException {
    return new FileScanner(new RepoPaths(root), config).scan().stream().map(SourceFile::path).toList();
  }

  private static CidxConfig withExtensions(String... extensions) {
    List<String> all = new ArrayList<>(List.of(extensions));
    all.add("java");
    return new CidxConfig(null, null, all, null, null, null, null, null);
  }

  private void write(String path, String content) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private void gitInit() throws Exception {
    git("init", "-q");
    git("config", "user.email", "test@example.com");
    git("config", "user.name", "Test");
    git("config", "commit.gpgsign", "false");
  }

  private void commitAll() throws Exception {
    git("add", "-A");
    git("commit", "-q", "-m", "test");
  }

  private String git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor()).as("git %s: %s", String.join(" ", args), output).isZero();
    return output;
  }
}
