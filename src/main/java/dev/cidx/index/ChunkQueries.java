package dev.cidx.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * The queries {@code search} builds over chunk documents, in the index's terms: the field names and the
 * chunk/file kinds stay in this package ({@link ChunkFields}), so a change of schema is made here and in
 * {@link ChunkDocuments}, and nowhere else.
 */
public final class ChunkQueries {
  private static final Query CHUNKS = new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_CHUNK));

  private ChunkQueries() {}

  /** Every chunk document (not the per-file ones): what every search filters on. */
  public static Query chunks() {
    return CHUNKS;
  }

  /** Chunks in one of {@code languages} (names as {@link Languages} gives them). */
  public static Query languageIn(Collection<String> languages) {
    return termsQuery(ChunkFields.LANGUAGE, languages);
  }

  /** Chunks of one of {@code paths} (repository-relative, forward slashes). */
  public static Query pathIn(Collection<String> paths) {
    return termsQuery(ChunkFields.PATH, paths);
  }

  /** The field a word is looked up in: the lower-cased text, or the text as written for a case-sensitive query. */
  public static String contentField(boolean caseSensitive) {
    return caseSensitive ? ChunkFields.CONTENT_CASE : ChunkFields.CONTENT;
  }

  /** Chunks whose file's name (without extension, analyzed like the text) has {@code token}. */
  public static Query fileNameHas(String token) {
    return new TermQuery(new Term(ChunkFields.FILE_NAME, token));
  }

  /**
   * Every path in the index, read from the term dictionary (cheap: no documents are loaded). Paths of
   * deleted documents may linger until a merge; they match nothing, so that is harmless.
   */
  public static List<String> indexedPaths(IndexReader reader) throws IOException {
    List<String> paths = new ArrayList<>();
    Terms terms = MultiTerms.getTerms(reader, ChunkFields.PATH);
    if (terms != null) {
      TermsEnum it = terms.iterator();
      for (BytesRef term = it.next(); term != null; term = it.next()) {
        paths.add(term.utf8ToString());
      }
    }
    return paths;
  }

  private static Query termsQuery(String field, Collection<String> values) {
    return new TermInSetQuery(field, values.stream().map(BytesRef::new).toList());
  }
}
