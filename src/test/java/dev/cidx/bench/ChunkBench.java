package dev.cidx.bench;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.OnnxEmbedder;
import dev.cidx.index.Chunk;
import dev.cidx.index.Chunker;
import dev.cidx.index.FileScanner;
import dev.cidx.index.SourceFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The full-text pass's own cost: reading and chunking every file of a repository with the model's
 * tokenizer, which decides how soon a big repository's full text is committed. Prints thread CPU time
 * (what a busy machine does not distort) and wall time, and a checksum of every chunk's content hash,
 * so two versions of the chunker can be shown to cut exactly the same chunks. Alternates line windows
 * and the syntax-aware chunker, so their difference is what parsing and planning cost.
 *
 * <pre>
 * ../shared/bench/corpus java.base /tmp/jb
 * mvn -q -o package -DskipTests &amp;&amp; mvn -q -o test-compile &amp;&amp; java -cp "target/classes:target/test-classes:target/lib/*" \
 *     dev.cidx.bench.ChunkBench /tmp/jb
 * </pre>
 */
public final class ChunkBench {
  public static void main(String[] args) throws Exception {
    RepoPaths repo = new RepoPaths(Path.of(args[0]));
    CidxConfig config = CidxConfig.defaults();
    EmbeddingModel model = EmbeddingModel.byName(config.embeddingModel());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (OnnxEmbedder embedder = OnnxEmbedder.open(model)) {
      List<SourceFile> files = new FileScanner(repo, config).scan();
      int maxTokens = model.maxTokens() - 2 - Chunker.CONTEXT_TOKENS;
      Chunker windows = new Chunker(config.chunkLines(), config.chunkOverlapLines(), maxTokens, embedder.tokenCounter());
      Chunker syntax = Chunker.syntaxAware(config.chunkLines(), config.chunkOverlapLines(), maxTokens,
          embedder.tokenCounter());
      for (int round = 1; round <= 4; round++) { // the first two rounds warm up the JIT
        Chunker chunker = round % 2 == 1 ? windows : syntax;
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        long chunks = 0;
        long checksum = 0;
        for (SourceFile f : files) {
          String text = new String(Files.readAllBytes(f.absolutePath()), StandardCharsets.UTF_8).replace("\r\n", "\n");
          for (Chunk c : chunker.chunk(f.path(), f.language(), text)) {
            chunks++;
            checksum = checksum * 31 + c.contentHash();
          }
        }
        double cpuS = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
        double wallS = (System.nanoTime() - wall) / 1e9;
        System.out.printf(Locale.ROOT, "round %d (%s): %d files, %d chunks in %.1f s CPU (%.1f s wall): %.0f chunks/s CPU; "
            + "checksum %016x%n", round, chunker == syntax ? "syntax-aware" : "windows", files.size(), chunks, cpuS, wallS, chunks / cpuS, checksum);
      }
    }
  }
}
