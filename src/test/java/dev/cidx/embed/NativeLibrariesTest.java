package dev.cidx.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
  @Test
  void loadingAModelPutsEveryNativeLibraryInTheCacheDirectory() throws IOException {
    TestModels.shared(EmbeddingModel.ALL_MINILM_L6_V2);
    Path cache = NativeLibraries.cacheDir();
    assertThat(cache).isEqualTo(TestModels.CACHE_DIR);

    Path ortDir = Path.of(System.getProperty(NativeLibraries.ORT_NATIVE_PATH_PROPERTY));
    assertThat(ortDir).isEqualTo(NativeLibraries.onnxRuntimeDir(cache));
    assertThat(ortDir.toString()).contains("onnxruntime-1.20.0");
    assertThat(ortDir.resolve(System.mapLibraryName("onnxruntime"))).isRegularFile();
    assertThat(ortDir.resolve(System.mapLibraryName("onnxruntime4j_jni"))).isRegularFile();

    assertThat(System.getProperty(NativeLibraries.DJL_CACHE_DIR_PROPERTY)).isEqualTo(cache.resolve("djl").toString());
    assertThat(System.getProperty(NativeLibraries.DJL_OFFLINE_PROPERTY)).isEqualTo("true");
    try (var files = Files.walk(cache.resolve("djl"))) {
      assertThat(files.map(p -> p.getFileName().toString())).contains(System.mapLibraryName("tokenizers"));
    }
    assertThat(Path.of(System.getProperty(NativeLibraries.JNA_BOOT_PATH_PROPERTY))).startsWith(cache);
  }

  @Test
  void cacheDirectoryPropertyOverridesTheDefault() {
    assertThat(TestModels.CACHE_DIR).isAbsolute(); // loading TestModels sets the property, whichever test runs first
    assertThat(System.getProperty(NativeLibraries.CACHE_DIR_PROPERTY)).isNotNull();
    assertThat(NativeLibraries.cacheDir()).isEqualTo(Path.of(System.getProperty(NativeLibraries.CACHE_DIR_PROPERTY)));
  }

  @Test
  void onnxRuntimeIsExtractedIntoAVersionedPlatformDirectoryOnlyOnce(@TempDir Path cache) throws IOException {
    Path dir = NativeLibraries.extractOnnxRuntime(cache);
    Path library = dir.resolve(System.mapLibraryName("onnxruntime"));
    Object firstFile = Files.readAttributes(library, BasicFileAttributes.class).fileKey();

    assertThat(NativeLibraries.extractOnnxRuntime(cache)).isEqualTo(dir);

    assertThat(cache.relativize(dir).toString()).startsWith("native/onnxruntime-1.20.0/");
    assertThat(Files.readAttributes(library, BasicFileAttributes.class).fileKey()).isEqualTo(firstFile);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni"));
    }
  }

  @Test
  void extractOnceWritesTheFileOnlyTheFirstTime(@TempDir Path dir) throws IOException {
    URL library = library();
    Path target = dir.resolve("libonnxruntime4j_jni.so");

    NativeLibraries.extractOnce(library, target);
    Object firstFile = Files.readAttributes(target, BasicFileAttributes.class).fileKey();
    NativeLibraries.extractOnce(library, target);

    assertThat(Files.readAttributes(target, BasicFileAttributes.class).fileKey()).isEqualTo(firstFile);
    try (var in = library.openStream()) {
      assertThat(Files.readAllBytes(target)).isEqualTo(in.readAllBytes());
    }
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(target); // no temporary files left beside it
    }
  }

  @Test
  void extractOnceReplacesAFileOfTheWrongSize(@TempDir Path dir) throws IOException {
    URL library = library();
    Path target = dir.resolve("libonnxruntime4j_jni.so");
    Files.write(target, new byte[] {1, 2, 3});

    NativeLibraries.extractOnce(library, target);

    try (var in = library.openStream()) {
      assertThat(Files.readAllBytes(target)).isEqualTo(in.readAllBytes());
    }
  }

  private static URL library() {
    Path platform = NativeLibraries.onnxRuntimeDir(Path.of("x")).getFileName();
    URL url = NativeLibraries.class.getResource(
        "/ai/onnxruntime/native/" + platform + "/" + System.mapLibraryName("onnxruntime4j_jni"));
    assertThat(url).isNotNull();
    return url;
  }
}
