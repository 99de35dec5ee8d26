package dev.cidx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's prebuilt command trees: each serves one command line, and the next is built ahead. */
class SpareTreeTest {
  @TempDir Path dir;

  @Test
  void take_handsOutTheTreeBuiltAhead_thenBuildsOnDemandUntilTheNextIsReady() {
    SpareTree trees = new SpareTree();
    trees.refillInBackground();
    await().until(() -> trees.hasSpare());
    SpareTree.Built first = trees.take();
    assertThat(trees.hasSpare()).isFalse();
    SpareTree.Built second = trees.take(); // nothing ready: built now, never the same tree twice
    assertThat(second.commandLine()).isNotSameAs(first.commandLine());
    assertThat(second.root()).isNotSameAs(first.root());
  }

  @Test
  void aTreeRunsOneCommandLine_bindingItAgainIsABug() {
    SpareTree.Built tree = SpareTree.build();
    Cli.Context context = new Cli.Context(dir, Map.of(), Terminal.PLAIN, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()), Optional.empty());
    tree.root().bind(context);
    assertThatThrownBy(() -> tree.root().bind(context)).isInstanceOf(IllegalStateException.class);
  }
}
