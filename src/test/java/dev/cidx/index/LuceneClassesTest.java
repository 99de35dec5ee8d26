package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's hang of two threads first touching Lucene at once (see {@link LuceneClasses}). Class
 * initialization happens once per JVM, so each try is a fresh JVM ({@link Race}) in which one thread
 * initializes {@code ConcurrentMergeScheduler}, as the indexer's {@code new IndexWriterConfig()} does,
 * while another initializes {@code IndexWriter}, as opening a reader does. Without {@link
 * LuceneClasses#initialize()} first, most tries never end.
 */
class LuceneClassesTest {
  private static final int TRIES = 4;

  @TempDir Path dir;

  @Test
  void afterInitialize_aWriterConfigAndAReaderOnTwoThreads_bothGetTheirClasses() throws Exception {
    for (int i = 0; i < TRIES; i++) {
      Path out = dir.resolve("race-" + i + ".txt");
      Process race = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Race.class.getName(), "initialize-first")
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      boolean ended = race.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        race.destroyForcibly();
      }
      assertThat(ended).as("try %d: the two threads deadlocked in class initialization", i).isTrue();
      assertThat(race.exitValue()).as(Files.readString(out)).isZero();
      assertThat(Files.readString(out)).contains("both threads done");
    }
  }

  /** One try, in its own JVM: {@code initialize-first} calls {@link LuceneClasses#initialize()} before the race. */
  public static final class Race {
    public static void main(String[] args) throws Exception {
      if (List.of(args).contains("initialize-first")) {
        LuceneClasses.initialize();
      }
      // Loaded, not initialized, so both threads reach the initializers at about the same moment.
      ClassLoader loader = Race.class.getClassLoader();
      for (String name : List.of(MERGE_SCHEDULER, WRITER)) {
        Class.forName(name, false, loader);
      }
      CountDownLatch go = new CountDownLatch(1);
      Thread indexer = new Thread(() -> initialize(go, MERGE_SCHEDULER)); // what new IndexWriterConfig() reaches
      Thread reader = new Thread(() -> initialize(go, WRITER)); // what SegmentInfos.readCommit reaches
      indexer.start();
      reader.start();
      go.countDown();
      indexer.join();
      reader.join();
      System.out.println("both threads done");
    }

    private static final String MERGE_SCHEDULER = "org.apache.lucene.index.ConcurrentMergeScheduler";
    private static final String WRITER = "org.apache.lucene.index.IndexWriter";

    private static void initialize(CountDownLatch go, String name) {
      try {
        go.await();
        Class.forName(name, true, Race.class.getClassLoader());
      } catch (ClassNotFoundException | InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
