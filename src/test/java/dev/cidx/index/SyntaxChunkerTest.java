package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.embed.TokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntaxChunkerTest {
  private static final TokenCounter WORDS = texts -> texts.stream()
      .mapToInt(t -> t.isBlank() ? 0 : t.strip().split("\\s+").length).toArray();

  @Test
  void dump() throws Exception {
    String f = System.getProperty("dump.file");
    if (f == null) {
      return;
    }
    String text = Files.readString(Path.of(f));
    List<Chunk> chunks = Chunker.syntaxAware(40, 8, 400, WORDS).chunk(f, Languages.of(f), text);
    for (Chunk c : chunks) {
      System.out.println("=== " + c.startLine() + "-" + c.endLine() + " (" + (c.endLine() - c.startLine() + 1) + ") " + c.context());
      System.out.println(c.text().lines().limit(3).reduce((a, b) -> a + "\n" + b).orElse(""));
    }
    assertThat(chunks).isNotEmpty();
  }
}
