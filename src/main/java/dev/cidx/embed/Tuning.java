package dev.cidx.embed;

/**
 * How {@link OnnxEmbedder} spends the CPU. The defaults are the measured best on a 2-core machine (see
 * the numbers below); the {@code cidx.embed.*} system properties override them for benchmarking.
 *
 * @param intraOpThreads threads ONNX Runtime uses inside one run
 * @param workers batches of one {@code embedDocuments} call run at the same time
 * @param spin whether ONNX Runtime's idle pool threads busy-wait for the next run
 * @param tokenBudget most padded tokens (texts times the longest) in one batch
 * @param maxBatch most texts in one batch
 */
record Tuning(int intraOpThreads, int workers, boolean spin, int tokenBudget, int maxBatch) {
  static final Tuning DEFAULTS = new Tuning(1, 2, false, 8192, 64);

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
