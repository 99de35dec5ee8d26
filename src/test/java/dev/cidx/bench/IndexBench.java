package dev.cidx.bench;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.OnnxEmbedder;
import dev.cidx.index.Chunk;
import dev.cidx.index.Chunker;
import dev.cidx.index.FileScanner;
import dev.cidx.index.IndexProgress;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.index.Indexer;
import dev.cidx.index.SourceFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Full indexing throughput against the raw model's, in one process: raw {@code embedDocuments}
 * throughput on a sample of the repository's own chunks before and after a full {@code --clear}
 * index run, then the run's chunks/s and its size on disk against the source size.
 *
 * <pre>
 * ../shared/bench/corpus java.base /tmp/corpus-base
 * mvn -q -o package -DskipTests &amp;&amp; mvn -q -o test-compile &amp;&amp; java -cp "target/classes:target/test-classes:target/lib/*" \
 *     dev.cidx.bench.IndexBench /tmp/corpus-base 400
 * </pre>
 */
public final class IndexBench {
  public static void main(String[] args) throws Exception {
    RepoPaths repo = new RepoPaths(Path.of(args[0]));
    int sample = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    if (!Files.exists(repo.configFile())) {
      CidxConfig.defaults().save(repo.configFile());
    }
    CidxConfig config = CidxConfig.load(repo.configFile());
    EmbeddingModel model = EmbeddingModel.byName(config.embeddingModel());
    try (Embedder embedder = OnnxEmbedder.open(model)) {
      List<SourceFile> files = new FileScanner(repo, config).scan();
      long sourceBytes = files.stream().mapToLong(SourceFile::size).sum();
      List<String> texts = sampleChunks(files, config, model, embedder, sample * 2);
      double rawBefore = raw(embedder, texts.subList(0, texts.size() / 2));
      System.out.printf(Locale.ROOT, "raw model before: %.1f chunks/s%n", rawBefore);

      IndexResult run = new Indexer(repo, config, () -> embedder).run(true, IndexProgress.NONE, () -> false);
      double indexRate = run.chunksEmbedded() / run.seconds();
      System.out.printf(Locale.ROOT, "index --clear: %d files, %d chunks (%d embedded) in %.1f s = %.1f chunks/s%n",
          run.filesScanned(), run.chunksTotal(), run.chunksEmbedded(), run.seconds(), indexRate);

      double rawAfter = raw(embedder, texts.subList(texts.size() / 2, texts.size()));
      System.out.printf(Locale.ROOT, "raw model after: %.1f chunks/s%n", rawAfter);
      double raw = (rawBefore + rawAfter) / 2;
      long indexBytes = sizeOf(repo.indexDir());
      long cacheBytes = Files.size(repo.embeddingCacheFile());
      System.out.println();
      System.out.println("| measure | value |");
      System.out.println("|---|---|");
      System.out.printf(Locale.ROOT, "| files / chunks | %d / %d |%n", run.filesScanned(), run.chunksTotal());
      System.out.printf(Locale.ROOT, "| index time | %.1f s |%n", run.seconds());
      System.out.printf(Locale.ROOT, "| index throughput | %.1f chunks/s |%n", indexRate);
      System.out.printf(Locale.ROOT, "| raw model throughput (mean of before/after) | %.1f chunks/s |%n", raw);
      System.out.printf(Locale.ROOT, "| index / raw | %.0f%% |%n", 100 * indexRate / raw);
      System.out.printf(Locale.ROOT, "| source size | %.1f MiB |%n", sourceBytes / 1048576.0);
      System.out.printf(Locale.ROOT, "| index size (Lucene + HNSW) | %.1f MiB (%.2fx source) |%n",
          indexBytes / 1048576.0, (double) indexBytes / sourceBytes);
      System.out.printf(Locale.ROOT, "| embedding cache | %.1f MiB |%n", cacheBytes / 1048576.0);
    }
  }

  private static double raw(Embedder embedder, List<String> texts) {
    long start = System.nanoTime();
    for (int i = 0; i < texts.size(); i += 64) {
      embedder.embedDocuments(texts.subList(i, Math.min(texts.size(), i + 64)));
    }
    return texts.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** Chunks spread over the whole repository, cut exactly as the indexer cuts them. */
  private static List<String> sampleChunks(List<SourceFile> files, CidxConfig config, EmbeddingModel model,
      Embedder embedder, int n) throws Exception {
    Chunker chunker = new Chunker(config.chunkLines(), config.chunkOverlapLines(), model.maxTokens() - 2,
        embedder.tokenCounter());
    List<String> out = new ArrayList<>();
    int step = Math.max(1, files.size() / Math.max(1, n / 4));
    for (int i = 0; i < files.size() && out.size() < n; i += step) {
      String text = Files.readString(files.get(i).absolutePath(), StandardCharsets.ISO_8859_1);
      for (Chunk c : chunker.chunk(files.get(i).path(), files.get(i).language(), text)) {
        if (out.size() < n) {
          out.add(c.text());
        }
      }
    }
    return out;
  }

  private static long sizeOf(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
