package dev.cidx.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.index.FileScanner;
import dev.cidx.index.IndexScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real watch service on a real directory tree (inotify on Linux). */
class TreeWatcherTest {
  @TempDir Path root;

  private final List<IndexScope> reports = new CopyOnWriteArrayList<>();
  private TreeWatcher watcher;

  @BeforeEach
  void start() throws IOException {
    write("src/main/A.java", "class A {}");
    write("web/node_modules/pkg/index.js", "x");
    write(".gitignore", "generated/\n");
    write("generated/Gen.java", "class Gen {}");
    FileScanner scanner = new FileScanner(new RepoPaths(root), CidxConfig.defaults());
    watcher = TreeWatcher.start(root, TreeWatcher.Filter.of(scanner), new TreeWatcher.Listener() {
      @Override
      public void changed(IndexScope scope) {
        reports.add(scope);
      }

      @Override
      public void failed(String message) {
        throw new AssertionError(message);
      }
    });
  }

  @AfterEach
  void close() {
    watcher.close();
  }

  @Test
  void watchesEveryDirectoryTheScannerEnters_only() {
    // root, src, src/main, web: not node_modules (excluded), not generated (ignored), not .git
    assertThat(watcher.directoryCount()).isEqualTo(4);
  }

  @Test
  void reportsWrittenAndDeletedFiles_withIndexableNames() throws IOException {
    write("src/main/B.java", "class B {}");
    awaitReported("src/main/B.java");
    Files.delete(root.resolve("src/main/A.java"));
    awaitReported("src/main/A.java");
  }

  @Test
  void aNewDirectoryIsReportedAndWatched_soFilesWrittenLaterInItAreToo() throws IOException {
    Files.createDirectories(root.resolve("src/new/deeper"));
    awaitReported("src/new");
    write("src/new/deeper/C.java", "class C {}");
    awaitReported("src/new/deeper/C.java");
  }

  @Test
  void aDeletedDirectoryIsOnePath() throws IOException {
    Files.delete(root.resolve("src/main/A.java"));
    awaitReported("src/main/A.java");
    Files.delete(root.resolve("src/main"));
    awaitReported("src/main");
  }

  @Test
  void aMovedDirectory_isReportedUnderBothNames_andWatchedUnderItsNewOne() throws IOException {
    Files.move(root.resolve("src/main"), root.resolve("src/moved"));
    awaitReported("src/main");
    awaitReported("src/moved");
    reports.clear();
    write("src/moved/D.java", "class D {}");
    awaitReported("src/moved/D.java");
    assertThat(reported()).noneMatch(p -> p.startsWith("src/main"));
  }

  @Test
  void aDirectoryMovedOutOfTheTree_isNoLongerWatched(@TempDir Path elsewhere) throws IOException {
    Path away = elsewhere.resolve("away");
    Files.move(root.resolve("src/main"), away);
    awaitReported("src/main");
    reports.clear();
    Files.writeString(away.resolve("Gone.java"), "class Gone {}");
    write("src/Marker.java", "class Marker {}"); // reported after the other would have been
    awaitReported("src/Marker.java");
    assertThat(reported()).doesNotContain("src/main/Gone.java");
  }

  @Test
  void ignoresChangesInSkippedDirectories_andNamesThatCannotBeIndexed() throws IOException {
    write("web/node_modules/pkg/other.js", "x");
    write("generated/Gen2.java", "class Gen2 {}");
    write("src/main/.A.java.swp", "x");
    write("src/main/Last.java", "class Last {}"); // reported after the others would have been
    awaitReported("src/main/Last.java");
    assertThat(reported()).doesNotContain("web/node_modules/pkg/other.js", "generated/Gen2.java",
        "src/main/.A.java.swp");
  }

  @Test
  void aChangedGitignore_reportsTheWholeRepository() throws IOException {
    write(".gitignore", "generated/\nweb/\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> reports.contains(IndexScope.ALL));
  }

  private void awaitReported(String path) {
    await().atMost(Duration.ofSeconds(10)).until(() -> reported().contains(path));
  }

  private Set<String> reported() {
    Set<String> all = new TreeSet<>();
    for (IndexScope scope : reports) {
      if (scope.paths() != null) {
        all.addAll(scope.paths());
      }
    }
    return all;
  }

  private void write(String path, String content) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
