package dev.cidx.embed;

/**
 * How {@link OnnxEmbedder} spends the CPU. The {@code cidx.embed.*} system properties override the
 * defaults, for benchmarking ({@code dev.cidx.bench.EmbedBench}).
 *
 * <p>Why the defaults, measured with bge-small on 40-line Java chunks (about 350 tokens each) on a
 * 2-core Xeon with AVX-512 VNNI:
 * <ul>
 *   <li><b>Small batches.</b> CPU time per chunk rises with batch size: a 512-token budget (in practice
 *       one chunk per run) gave about 10 chunks per CPU-second, 2048 tokens 7.4, 8192 tokens 5.6 and
 *       32768 tokens 3.6. The int8 GEMMs are cheap; what costs is the element-wise work between them
 *       (dequantize, GELU, layer norm), which is memory-bound and slows sharply once a batch's
 *       activations (tokens x 1536 floats in the feed-forward layer) no longer fit a core's 2 MB L2.
 *       Short texts still share a run, since several fit the budget.
 *   <li><b>Parallel batches, one thread each</b>, rather than one batch at a time on an intra-op pool:
 *       per CPU-second both do the same work, but independent runs need no synchronisation, while an
 *       intra-op pool meets at a barrier after every operator (hundreds per run) and leaves a core
 *       idle during the many small operators it does not split. Single-threaded runs also give the
 *       lowest query latency (about 4 ms), and a query arriving during indexing simply runs beside the
 *       batches instead of queueing for the pool. One worker per available processor.
 *   <li><b>No spinning.</b> ORT's pool threads busy-wait after each run by default; with spinning on,
 *       the 2-thread configuration was slower and queries slowed down, since the spinning threads take
 *       the cores the other runs need.
 *   <li><b>Tokenizing up front</b> rather than overlapping it with inference: it costs under 2% of the
 *       CPU time of inference, and with both cores busy running batches there is no idle core for an
 *       overlapped tokenizer to use.
 * </ul>
 *
 * @param intraOpThreads threads ONNX Runtime uses inside one run
 * @param workers batches of one {@code embedDocuments} call run at the same time
 * @param spin whether ONNX Runtime's idle pool threads busy-wait for the next run
 * @param tokenBudget most padded tokens (texts times the longest) in one batch; a longer text runs alone
 * @param maxBatch most texts in one batch
 */
record Tuning(int intraOpThreads, int workers, boolean spin, int tokenBudget, int maxBatch) {
  static final Tuning DEFAULTS =
      new Tuning(1, Math.max(1, Runtime.getRuntime().availableProcessors()), false, 512, 32);

  Tuning {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads (" + intraOpThreads + ") must be positive");
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers (" + workers + ") must be positive");
    }
    if (tokenBudget < 1) {
      throw new IllegalArgumentException("tokenBudget (" + tokenBudget + ") must be positive");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch (" + maxBatch + ") must be positive");
    }
  }

  static Tuning fromSystemProperties() {
    return new Tuning(
        Integer.getInteger("cidx.embed.intraOpThreads", DEFAULTS.intraOpThreads),
        Integer.getInteger("cidx.embed.workers", DEFAULTS.workers),
        Boolean.parseBoolean(System.getProperty("cidx.embed.spin", Boolean.toString(DEFAULTS.spin))),
        Integer.getInteger("cidx.embed.tokenBudget", DEFAULTS.tokenBudget),
        Integer.getInteger("cidx.embed.maxBatch", DEFAULTS.maxBatch));
  }
}
