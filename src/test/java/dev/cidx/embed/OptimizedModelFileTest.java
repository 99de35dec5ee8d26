package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optimized model kept in the cache: written once, loaded after, and the same vectors either way. */
class OptimizedModelFileTest {
  private static final EmbeddingModel MODEL = EmbeddingModel.ALL_MINILM_L6_V2; // the smaller model: faster
  private static final List<String> TEXTS = List.of(
      "public int compareTo(Version other) { return Integer.compare(major, other.major); }",
      "HttpClient client = HttpClient.newBuilder().build();", "x");

  @TempDir Path cache;

  @Test
  void theFirstStartWritesTheOptimizedModelAndLaterStartsLoadItGivingTheSameVectorsBitForBit() throws Exception {
    Path file = OptimizedModelFile.in(cache, MODEL).file();
    assertThat(file).isNotNull().doesNotExist();

    List<float[]> fromJar = embed();
    assertThat(file).isRegularFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    long written = Files.getLastModifiedTime(file).toMillis();

    List<float[]> fromCache = embed();
    assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(written); // loaded, not rewritten
    assertSameVectors(fromCache, fromJar);
    assertSameVectors(fromJar, TestModels.shared(MODEL).embedDocuments(TEXTS)); // and as without any cache
  }

  @Test
  void aDamagedFileIsReplacedAndTheModelStillLoads() throws Exception {
    Path file = OptimizedModelFile.in(cache, MODEL).file();
    NativeLibraries.nativeDirectory(cache, file.getParent());
    Files.writeString(file, "not a model");

    List<float[]> vectors = embed();

    assertSameVectors(vectors, TestModels.shared(MODEL).embedDocuments(TEXTS));
    assertThat(Files.size(file)).isGreaterThan(1_000_000); // rewritten from the jar's model
  }

  @Test
  void aLinkPlantedAtTheFileIsNeitherLoadedNorWrittenThrough() throws Exception {
    Path file = OptimizedModelFile.in(cache, MODEL).file();
    NativeLibraries.nativeDirectory(cache, file.getParent());
    Path victim = cache.resolve("victim");
    Files.writeString(victim, "keep me");
    Files.createSymbolicLink(file, victim);

    List<float[]> vectors = embed();

    assertSameVectors(vectors, TestModels.shared(MODEL).embedDocuments(TEXTS));
    assertThat(Files.isSymbolicLink(file)).isTrue();
    assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("keep me");
    try (var entries = Files.list(file.getParent())) {
      assertThat(entries.filter(p -> !p.equals(file))).isEmpty(); // no temporary file left behind
    }
  }

  @Test
  void theCpuSignatureIsStableAndShort() {
    assertThat(OptimizedModelFile.cpuSignature()).matches("[0-9a-f]{8}").isEqualTo(OptimizedModelFile.cpuSignature());
  }

  private List<float[]> embed() {
    try (OnnxEmbedder embedder = OnnxEmbedder.open(MODEL, Tuning.DEFAULTS, cache)) {
      return embedder.embedDocuments(TEXTS);
    }
  }

  private static void assertSameVectors(List<float[]> actual, List<float[]> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("vector %d", i).containsExactly(expected.get(i));
    }
  }
}
