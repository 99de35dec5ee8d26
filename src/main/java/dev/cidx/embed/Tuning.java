package dev.cidx.embed;

/**
 * How {@link OnnxEmbedder} spends the CPU. The {@code cidx.embed.*} system properties override the
 * defaults, for benchmarking ({@code dev.cidx.bench.EmbedBench}); cidx itself never sets them.
 *
 * <p>Why the defaults, measured with bge-small on 40-line Java chunks (about 350 tokens each) on a
 * 2-core Xeon with AVX-512 VNNI, counting CPU time because the machine was shared:
 * <ul>
 *   <li><b>One text per run</b> (forced by determinism, see {@link OnnxEmbedder}) is also the fastest.
 *       CPU time per chunk rises with batch size: batches of up to 512 padded tokens (so one chunk)
 *       gave about 10 chunks per CPU-second, 2048 tokens 7.4, 8192 tokens 5.6 and 32768 tokens 3.6,
 *       even when sorted by length so padding was small. The int8 matrix products are cheap; what
 *       costs is the element-wise work between them (quantize, GELU, layer norm), which is bound by
 *       memory and slows sharply once a batch's activations (tokens x 1536 floats in the feed-forward
 *       layer) no longer fit a core's 2 MB L2 cache.
 *   <li><b>Parallel texts, one thread each</b>, rather than one text at a time on an intra-op pool of
 *       two. Measured A/B in one JVM, alternating rounds of 32 chunks: in rounds where both cores were
 *       free, two single-threaded workers made 17.5-20.6 chunks/s and the 2-thread pool 11.8-16.7;
 *       per CPU-second 9.9 against 8.4 chunks. Independent runs never wait for each other, while a pool
 *       meets at a barrier after each of the hundreds of operators in a run and runs the small ones on
 *       one thread. Single-threaded runs also give the lowest query latency (about 4 ms), and a query
 *       arriving during indexing runs beside the indexing work instead of queueing for the pool. One
 *       worker per available processor.
 *   <li><b>No spinning.</b> ORT's pool threads otherwise busy-wait after each run, taking cores that
 *       other runs need: the 2-thread pool with spinning did 6.9 chunks per CPU-second instead of 8.4.
 *       It only matters when {@code intraOpThreads > 1}.
 *   <li><b>Tokenizing up front</b> rather than overlapping it with inference: it is under 2% of the
 *       CPU time of inference, and with every core busy running the model there is no idle core for an
 *       overlapped tokenizer to use.
 * </ul>
 *
 * @param intraOpThreads threads ONNX Runtime uses inside one run
 * @param workers texts of one {@code embedDocuments} call that run at the same time
 * @param spin whether ONNX Runtime's idle pool threads busy-wait for the next run
 */
record Tuning(int intraOpThreads, int workers, boolean spin) {
  static final Tuning DEFAULTS = new Tuning(1, Math.max(1, Runtime.getRuntime().availableProcessors()), false);

  Tuning {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads (" + intraOpThreads + ") must be positive");
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers (" + workers + ") must be positive");
    }
  }

  static Tuning fromSystemProperties() {
    return new Tuning(
        Integer.getInteger("cidx.embed.intraOpThreads", DEFAULTS.intraOpThreads),
        Integer.getInteger("cidx.embed.workers", DEFAULTS.workers),
        Boolean.parseBoolean(System.getProperty("cidx.embed.spin", Boolean.toString(DEFAULTS.spin))));
  }
}
