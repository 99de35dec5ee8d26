package dev.cidx.index;

import dev.cidx.config.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.OptionalLong;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * What the last commit knows about one file, for a caller that shows the file itself (the MCP server's
 * {@code read_code}) and must say whether the index saw this version of it. Opens the latest commit
 * read-only for one look-up: no searcher, vectors or model, so it costs milliseconds.
 */
public final class IndexedFiles {
  private IndexedFiles() {}

  /**
   * The modification time (epoch millis) the file had when it was indexed, or empty when the index has
   * no such file or there is no index yet. {@code path} is relative to the root with forward slashes.
   */
  public static OptionalLong modifiedMillis(RepoPaths repo, String path) throws IOException {
    if (!Files.isDirectory(repo.indexDir())) {
      return OptionalLong.empty();
    }
    try (Directory dir = FSDirectory.open(repo.indexDir()); DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      BooleanQuery query = new BooleanQuery.Builder()
          .add(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_FILE)), BooleanClause.Occur.FILTER)
          .add(new TermQuery(new Term(ChunkFields.PATH, path)), BooleanClause.Occur.FILTER)
          .build();
      TopDocs top = searcher.search(query, 1);
      if (top.scoreDocs.length == 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(searcher.storedFields().document(top.scoreDocs[0].doc)
          .getField(ChunkFields.FILE_MTIME).numericValue().longValue());
    } catch (IndexNotFoundException e) {
      return OptionalLong.empty();
    }
  }
}
