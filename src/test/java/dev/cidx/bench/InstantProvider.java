package dev.cidx.bench;

import dev.cidx.testing.FakeEmbeddingServer;

/**
 * An embedding provider that answers at once, for measuring the indexing pipeline's own ceiling
 * ({@code bench/ceiling.sh}): a loopback server speaking OpenAI's API with hashed bag-of-words vectors.
 * Prints its base URL on the first line, then serves until killed.
 *
 * <pre>
 * java -cp "target/classes:target/test-classes:target/lib/*" dev.cidx.bench.InstantProvider [DIMENSION]
 * </pre>
 */
public final class InstantProvider {
  private InstantProvider() {}

  public static void main(String[] args) throws Exception {
    int dimension = args.length > 0 ? Integer.parseInt(args[0]) : 384;
    FakeEmbeddingServer server = FakeEmbeddingServer.startUnrecorded("openai", dimension);
    System.out.println(server.baseUrl());
    System.out.flush();
    Thread.currentThread().join();
  }
}
