package dev.cidx.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The contents of {@code .code-indexer/config.json}. Missing fields take their defaults, unknown fields
 * are ignored (a newer cidx may have written them), and bad values are rejected with the field's name.
 * {@code .code-indexer-sample/} documents every field.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CidxConfig(
    @JsonProperty("embedding_model") String embeddingModel,
    @JsonProperty("max_file_size") Long maxFileSize,
    @JsonProperty("file_extensions") List<String> fileExtensions,
    @JsonProperty("exclude_dirs") List<String> excludeDirs,
    @JsonProperty("chunk_lines") Integer chunkLines,
    @JsonProperty("chunk_overlap_lines") Integer chunkOverlapLines,
    @JsonProperty("daemon") DaemonSettings daemon,
    @JsonProperty("embedding") EmbeddingSettings embedding) {

  public static final String DEFAULT_MODEL = "bge-small-en-v1.5";
  public static final long DEFAULT_MAX_FILE_SIZE = 1024 * 1024;
  public static final List<String> DEFAULT_EXTENSIONS = List.of(
      "java", "kt", "kts", "scala", "groovy", "py", "pyi", "js", "jsx", "mjs", "cjs", "ts", "tsx", "go", "rs",
      "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "cs", "rb", "php", "swift", "m", "mm", "sh", "bash", "zsh",
      "sql", "lua", "pl", "r", "dart", "ex", "exs", "erl", "hs", "ml", "clj", "vue", "svelte", "html", "css",
      "scss", "md", "markdown", "rst", "txt", "adoc", "json", "yaml", "yml", "toml", "xml", "gradle",
      "properties", "proto", "graphql", "tf", "cfg", "ini", "dockerfile", "makefile", "cmake");
  public static final List<String> DEFAULT_EXCLUDE_DIRS = List.of(
      ".git", ".code-indexer", "node_modules", "target", "build", "dist", "out", ".gradle", ".idea",
      ".vscode", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache", "vendor");

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public CidxConfig {
    embeddingModel = embeddingModel == null ? DEFAULT_MODEL : embeddingModel;
    maxFileSize = maxFileSize == null ? DEFAULT_MAX_FILE_SIZE : maxFileSize;
    fileExtensions = fileExtensions == null ? DEFAULT_EXTENSIONS : List.copyOf(fileExtensions);
    excludeDirs = excludeDirs == null ? DEFAULT_EXCLUDE_DIRS : List.copyOf(excludeDirs);
    chunkLines = chunkLines == null ? 40 : chunkLines;
    chunkOverlapLines = chunkOverlapLines == null ? 8 : chunkOverlapLines;
    daemon = daemon == null ? DaemonSettings.DEFAULTS : daemon;
    embedding = embedding == null ? EmbeddingSettings.DEFAULTS : embedding;
    if (maxFileSize <= 0) {
      throw new IllegalArgumentException("max_file_size (" + maxFileSize + ") must be positive");
    }
    if (chunkLines < 1) {
      throw new IllegalArgumentException("chunk_lines (" + chunkLines + ") must be positive");
    }
    if (chunkOverlapLines < 0 || chunkOverlapLines >= chunkLines) {
      throw new IllegalArgumentException(
          "chunk_overlap_lines (" + chunkOverlapLines + ") must be between 0 and chunk_lines - 1 (" + (chunkLines - 1) + ")");
    }
  }

  public static CidxConfig defaults() {
    return new CidxConfig(null, null, null, null, null, null, null, null);
  }

  /** Reads the file; a syntax error or a bad value becomes a {@link ConfigException} naming the file. */
  public static CidxConfig load(Path file) throws ConfigException {
    try {
      CidxConfig config = JSON.readValue(file.toFile(), CidxConfig.class);
      return config == null ? defaults() : config;
    } catch (JsonMappingException e) {
      // A record's constructor, or DaemonSettings.read, rejected a value: its message names the field.
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof IllegalArgumentException) {
          throw new ConfigException(file + ": " + cause.getMessage(), e);
        }
      }
      throw new ConfigException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes atomically (temp file, then rename) so a reader never sees half a file. */
  public void save(Path file) throws IOException {
    PrivateFiles.directory(file.getParent());
    PrivateFiles.writeAtomically(file, toJson() + "\n");
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public CidxConfig withEmbeddingModel(String model) {
    return new CidxConfig(model, maxFileSize, fileExtensions, excludeDirs, chunkLines, chunkOverlapLines, daemon, embedding);
  }

  public CidxConfig withMaxFileSize(long bytes) {
    return new CidxConfig(embeddingModel, bytes, fileExtensions, excludeDirs, chunkLines, chunkOverlapLines, daemon, embedding);
  }

  public CidxConfig withEmbedding(EmbeddingSettings settings) {
    return new CidxConfig(embeddingModel, maxFileSize, fileExtensions, excludeDirs, chunkLines, chunkOverlapLines, daemon, settings);
  }

  public CidxConfig withDaemon(DaemonSettings settings) {
    return new CidxConfig(embeddingModel, maxFileSize, fileExtensions, excludeDirs, chunkLines, chunkOverlapLines, settings, embedding);
  }
}
