package dev.cidx.index;

/**
 * Names of the Lucene fields. One document per chunk ({@link #KIND_CHUNK}) and one per file
 * ({@link #KIND_FILE}); queries always say which kind they want.
 *
 * <p>Chunk documents: {@link #KIND}, {@link #PATH}, {@link #LANGUAGE}, {@link #START_LINE},
 * {@link #END_LINE}, {@link #CONTENT}, {@link #CONTEXT}, {@link #CONTENT_CASE}, {@link #FILE_NAME},
 * {@link #HASH}, {@link #FILE_MTIME}.
 * File documents: {@link #KIND}, {@link #PATH}, {@link #LANGUAGE}, {@link #FILE_MTIME},
 * {@link #FILE_HASH}, {@link #FILE_SIZE}, {@link #CHUNK_COUNT}. {@link ChunkDocuments} builds both.
 */
final class ChunkFields {
  /** Exact string, not stored: {@link #KIND_CHUNK} or {@link #KIND_FILE}. */
  static final String KIND = "kind";
  static final String KIND_CHUNK = "chunk";
  static final String KIND_FILE = "file";

  /** Repository-relative path with forward slashes: exact string, stored, sorted doc values. */
  static final String PATH = "path";
  /** Language name: exact string, stored, sorted doc values. */
  static final String LANGUAGE = "language";
  /** 1-based inclusive line range of a chunk: stored ints. */
  static final String START_LINE = "start_line";
  static final String END_LINE = "end_line";
  /** The chunk text, analyzed by {@link CodeAnalyzer#caseInsensitive()}; stored. */
  static final String CONTENT = "content";
  /** {@link Chunk#context()}, the line the model reads before the text: stored only, never searched. */
  static final String CONTEXT = "context";
  /** The same text analyzed by {@link CodeAnalyzer#caseSensitive()}; not stored. */
  static final String CONTENT_CASE = "content_case";
  /**
   * The file's name without its extension, analyzed like {@link #CONTENT}, not stored: a query naming
   * {@code LocalCache} finds {@code LocalCache.java} even in chunks that never spell the name.
   */
  static final String FILE_NAME = "file_name";
  /** {@link Chunk#contentHash()}: stored, numeric doc values and a point, to join with the vectors. */
  static final String HASH = "hash";
  /** The file's modification time in epoch millis when indexed: stored and numeric doc values. */
  static final String FILE_MTIME = "file_mtime";
  /** Hash of the whole file's content (file documents): exact string, stored. */
  static final String FILE_HASH = "file_hash";
  /** File size in bytes (file documents): stored long. */
  static final String FILE_SIZE = "file_size";
  /** Number of chunk documents the file produced (file documents): stored int. */
  static final String CHUNK_COUNT = "chunk_count";

  private ChunkFields() {}
}
