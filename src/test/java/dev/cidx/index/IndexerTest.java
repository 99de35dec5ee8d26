package dev.cidx.index;

import dev.cidx.protocol.Messages.IndexResult;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.CidxConfig;
import dev.cidx.config.RepoPaths;
import dev.cidx.embed.Embedder;
import dev.cidx.embed.EmbeddingModel;
import dev.cidx.embed.TestModels;
import dev.cidx.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vector files of incremental commits: the base kept, the delta written, compaction, clean-up. */
class IndexerTest {
  /** Twelve one-chunk files, so one changed or deleted file is a twelfth of the base. */
  static final Map<String, String> FILES = files();

  @TempDir Path root;
  RepoPaths repo;
  final Embedder embedder = TestModels.shared(EmbeddingModel.BGE_SMALL_EN_V15);

  static Map<String, String> files() {
    String[][] topics = {
        {"Sorter", "sorts a list of integers in ascending order with quicksort"},
        {"Mailer", "sends an email message over SMTP with a subject and body"},
        {"Thumbnail", "scales a photo down to a small thumbnail image"},
        {"RetryPolicy", "retries a failed network request with exponential backoff"},
        {"Tokenizer", "splits a sentence into words at whitespace and punctuation"},
        {"PasswordHasher", "hashes a user password with a random salt"},
        {"Invoice", "computes the total price of an invoice including tax"},
        {"CsvReader", "parses comma separated values into rows of fields"},
        {"Weather", "fetches the temperature forecast for a city"},
        {"Matrix", "multiplies two square matrices of doubles"},
        {"Cache", "evicts the least recently used entry when the cache is full"},
        {"Logger", "writes timestamped log lines to a rotating file"}};
    Map<String, String> files = new LinkedHashMap<>();
    for (String[] t : topics) {
      files.put("src/" + t[0] + ".java", javaClass(t[0], t[1]));
    }
    return files;
  }

  static String javaClass(String name, String doc) {
    return "package demo;\n\n/** " + doc + ". */\nfinal class " + name + " {\n  void run() {}\n}\n";
  }

  @BeforeEach
  void writeRepository() throws IOException {
    repo = TestRepo.create(root);
    for (Map.Entry<String, String> f : FILES.entrySet()) {
      write(f.getKey(), f.getValue());
    }
  }

  private void write(String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private IndexResult index(CompactionPolicy policy) throws Exception {
    return index(policy, false);
  }

  private IndexResult index(CompactionPolicy policy, boolean clear) throws Exception {
    IndexResult run = new Indexer(repo, CidxConfig.defaults(), () -> embedder, policy, CommitSchedule.DEFAULT)
        .run(clear, IndexProgress.NONE, () -> false);
    assertThat(run.committed()).isTrue();
    return run;
  }

  private CommitInfo commit() throws IOException {
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      return snapshot.commit();
    }
  }

  /** The content hashes of the live chunks of {@code path}. */
  static Set<Long> hashesOf(IndexSnapshot snapshot, String path) throws IOException {
    BooleanQuery query = new BooleanQuery.Builder()
        .add(new TermQuery(new Term(ChunkFields.KIND, ChunkFields.KIND_CHUNK)), BooleanClause.Occur.FILTER)
        .add(new TermQuery(new Term(ChunkFields.PATH, path)), BooleanClause.Occur.FILTER)
        .build();
    Set<Long> hashes = new HashSet<>();
    for (ScoreDoc sd : snapshot.searcher().search(query, 1000).scoreDocs) {
      hashes.add(snapshot.hashOf(sd.doc));
    }
    return hashes;
  }

  static Set<Long> deltaHashes(DeltaVectors delta) {
    Set<Long> hashes = new HashSet<>();
    for (int row = 0; row < delta.size(); row++) {
      hashes.add(delta.hash(row));
    }
    return hashes;
  }

  private BaseHashes baseHashes(CommitInfo commit) throws IOException {
    return BaseHashes.read(repo.indexDir().resolve(BaseHashes.fileNameFor(commit.vectorsFile())));
  }

  private Set<String> vectorFiles() throws IOException {
    try (Stream<Path> files = Files.list(repo.indexDir())) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("vectors-") || n.startsWith("delta-"))
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  private static Set<String> named(CommitInfo commit) {
    Set<String> names = new TreeSet<>();
    names.add(commit.vectorsFile());
    names.add(BaseHashes.fileNameFor(commit.vectorsFile()));
    commit.deltaFile().ifPresent(names::add);
    return names;
  }

  private static Set<Long> liveHashes(IndexSnapshot snapshot) throws IOException {
    return Indexer.liveHashCounts((DirectoryReader) snapshot.searcher().getIndexReader()).keySet();
  }

  // ---- runs limited to some paths (a watch, notify)

  private IndexResult indexPaths(String... paths) throws Exception {
    return new Indexer(repo, CidxConfig.defaults(), () -> embedder, CompactionPolicy.DEFAULT, CommitSchedule.DEFAULT)
        .run(IndexScope.of(List.of(paths)), IndexProgress.NONE, () -> false);
  }

  private Set<String> indexedPaths() throws IOException {
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      return new TreeSet<>(snapshot.paths());
    }
  }

  @Test
  void anEmbedderOfAnotherModel_isRefusedBeforeAnyVectorIsStored_andNothingIsCommitted() {
    // Both models make 384-dimensional vectors: without the check, the commit would name bge-small while
    // holding another model's vectors, and the cache would serve them to every later bge-small run.
    Embedder other = new Embedder() {
      @Override
      public EmbeddingModel model() {
        return EmbeddingModel.ALL_MINILM_L6_V2;
      }

      @Override
      public float[] embedQuery(String text) {
        return embedder.embedQuery(text);
      }

      @Override
      public List<float[]> embedDocuments(List<String> texts) {
        return embedder.embedDocuments(texts);
      }

      @Override
      public dev.cidx.embed.TokenCounter tokenCounter() {
        return embedder.tokenCounter();
      }

      @Override
      public void close() {}
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Indexer(repo, CidxConfig.defaults(), () -> other)
            .run(false, IndexProgress.NONE, () -> false))
        .isInstanceOf(IndexException.class)
        .hasMessage("this run indexes with bge-small-en-v1.5 but was given the model all-minilm-l6-v2 "
            + "(config.json changed during the run); run `cidx index` again");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> IndexSnapshot.open(repo).close())
        .isInstanceOf(IndexMissingException.class);
  }

  // ---- the base's dead nodes (hnswlib keeps a removed vector's node, marked deleted)

  private void writeExtraFiles(String version) throws IOException {
    for (int i = 0; i < 20; i++) {
      write("src/Extra" + i + ".java", javaClass("Extra" + i, "helper number " + i + " for reports, " + version));
    }
  }

  private VectorStore base() throws IOException {
    return VectorStore.load(repo.indexDir().resolve(commit().vectorsFile()));
  }

  @Test
  void whenEveryChunkChanges_theBaseIsBuiltAnew_withoutTheOldNodes() throws Exception {
    writeExtraFiles("first");
    index(CompactionPolicy.DEFAULT);
    assertThat(base().size()).isEqualTo(32);
    // A chunker upgrade, or a rewrite of everything: every vector of the old graph is dead.
    for (Map.Entry<String, String> f : FILES.entrySet()) {
      write(f.getKey(), f.getValue().replace(". */", ", second version. */"));
    }
    writeExtraFiles("second");
    index(CompactionPolicy.DEFAULT);
    VectorStore base = base();
    assertThat(base.size()).isEqualTo(32);
    assertThat(base.deadSlots()).as("no node of the old graph is carried: only a new graph's room")
        .isEqualTo(VectorStore.MIN_CAPACITY);
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(new HashSet<>(base.hashes())).isEqualTo(liveHashes(snapshot));
    }
  }

  @Test
  void aFewDeadNodesAreCarried_untilTheyPassThePolicysFraction_thenTheGraphIsBuiltAnew() throws Exception {
    CompactionPolicy rebuildEveryRun = new CompactionPolicy(0, 0.0, 0.5); // rebuild; tolerate dead up to half
    writeExtraFiles("first");
    index(rebuildEveryRun);
    write("src/Sorter.java", javaClass("Sorter", "sorts a list of integers in descending order with heapsort"));
    write("src/Mailer.java", javaClass("Mailer", "sends a text message to a phone number"));
    index(rebuildEveryRun);
    assertThat(base().deadSlots()).as("two removed vectors stay in the reused graph")
        .isEqualTo(VectorStore.MIN_CAPACITY + 2);

    writeExtraFiles("second"); // 20 more dead: past half of the 32 live vectors
    index(rebuildEveryRun);
    VectorStore base = base();
    assertThat(base.deadSlots()).isEqualTo(VectorStore.MIN_CAPACITY);
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(new HashSet<>(base.hashes())).isEqualTo(liveHashes(snapshot));
      long sorter = hashesOf(snapshot, "src/Sorter.java").iterator().next();
      assertThat(base.nearest(base.vector(sorter).orElseThrow(), 1, 10).get(0).hash())
          .as("a vector carried over from the old graph is found").isEqualTo(sorter);
    }
  }

  @Test
  void aVectorRemovedFromTheBase_isAddedAgain_whenItsChunkComesBack() throws Exception {
    CompactionPolicy rebuildEveryRun = new CompactionPolicy(0, 0.0, 0.5);
    writeExtraFiles("first");
    index(rebuildEveryRun);
    String sorter = FILES.get("src/Sorter.java");
    write("src/Sorter.java", javaClass("Sorter", "sorts a list of integers in descending order with heapsort"));
    index(rebuildEveryRun);
    write("src/Sorter.java", sorter); // reverted: the first version's chunk, and its hash, are live again
    index(rebuildEveryRun);
    VectorStore base = base();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(new HashSet<>(base.hashes())).as("hnswlib must not refuse the returning hash")
          .isEqualTo(liveHashes(snapshot));
      assertThat(base.deadSlots()).as("the old graph was kept").isGreaterThan(VectorStore.MIN_CAPACITY);
    }
  }

  @Test
  void aScopedRun_looksOnlyAtItsPaths() throws Exception {
    index(CompactionPolicy.DEFAULT);
    write("src/Sorter.java", javaClass("Sorter", "sorts a list of strings by length with merge sort"));
    write("src/Mailer.java", javaClass("Mailer", "sends a text message to a phone number"));
    write("src/New.java", javaClass("New", "draws a bar chart of monthly sales"));
    Set<Long> mailerBefore;
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      mailerBefore = hashesOf(snapshot, "src/Mailer.java");
    }

    IndexResult run = indexPaths("src/Sorter.java", "src/New.java");

    assertThat(run.committed()).isTrue();
    assertThat(run.filesScanned()).isEqualTo(2);
    assertThat(run.filesIndexed()).isEqualTo(2);
    assertThat(run.filesChanged()).isEqualTo(1); // Sorter; New is added
    assertThat(run.chunksEmbedded()).isEqualTo(2);
    assertThat(run.chunksTotal()).isEqualTo(13);
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(hashesOf(snapshot, "src/Mailer.java")).as("outside the scope: untouched")
          .isEqualTo(mailerBefore);
      assertThat(snapshot.paths()).contains("src/New.java");
    }
    // The next full run finds the change the scoped one did not look at.
    IndexResult full = index(CompactionPolicy.DEFAULT);
    assertThat(full.filesIndexed()).isEqualTo(1);
  }

  @Test
  void aScopedRun_removesDeletedFiles_andEverythingBelowADeletedDirectory() throws Exception {
    write("src/util/Strings.java", javaClass("Strings", "pads a string on the left with spaces"));
    write("src/util/deep/Numbers.java", javaClass("Numbers", "rounds a number to two decimal places"));
    index(CompactionPolicy.DEFAULT);
    Files.delete(root.resolve("src/Matrix.java"));
    Files.delete(root.resolve("src/util/deep/Numbers.java"));
    Files.delete(root.resolve("src/util/deep"));
    Files.delete(root.resolve("src/util/Strings.java"));
    Files.delete(root.resolve("src/util"));

    IndexResult run = indexPaths("src/Matrix.java", "src/util");

    assertThat(run.filesDeleted()).isEqualTo(3);
    assertThat(indexedPaths()).doesNotContain("src/Matrix.java", "src/util/Strings.java", "src/util/deep/Numbers.java")
        .hasSize(11);
  }

  @Test
  void aScopedRun_withNothingChanged_commitsNothing() throws Exception {
    index(CompactionPolicy.DEFAULT);
    CommitInfo before = commit();
    IndexResult run = indexPaths("src/Sorter.java", "src/gone.java", "no/such/dir");
    assertThat(run.committed()).isFalse();
    assertThat(run.filesIndexed()).isZero();
    assertThat(commit().indexedAt()).isEqualTo(before.indexedAt());
  }

  @Test
  void aScopedRun_withoutAnIndex_indexesTheWholeRepository() throws Exception {
    IndexResult run = indexPaths("src/Sorter.java");
    assertThat(run.committed()).isTrue();
    assertThat(indexedPaths()).hasSize(12);
  }

  @Test
  void firstBuild_writesABaseWithItsHashListAndNoDelta() throws Exception {
    index(CompactionPolicy.DEFAULT);
    CommitInfo commit = commit();
    assertThat(commit.deltaFile()).isEmpty();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      Set<Long> live = liveHashes(snapshot);
      assertThat(live).hasSize(FILES.size());
      BaseHashes base = baseHashes(commit);
      assertThat(base.size()).isEqualTo(live.size());
      assertThat(live).allMatch(base::contains);
      assertThat(snapshot.deltaVectors().size()).isZero();
    }
    assertThat(vectorFiles()).isEqualTo(named(commit));
  }

  @Test
  void oneFileChange_keepsTheBaseAndPutsExactlyTheNewVectorsInTheDelta() throws Exception {
    index(CompactionPolicy.DEFAULT);
    CommitInfo before = commit();
    write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons and confetti"));

    IndexResult run = index(CompactionPolicy.DEFAULT);

    assertThat(run.filesIndexed()).isEqualTo(1);
    CommitInfo after = commit();
    assertThat(after.vectorsFile()).isEqualTo(before.vectorsFile());
    assertThat(after.deltaFile()).isPresent();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      Set<Long> changed = hashesOf(snapshot, "src/Mailer.java");
      assertThat(changed).hasSize(1).noneMatch(baseHashes(after)::contains);
      assertThat(deltaHashes(snapshot.deltaVectors())).isEqualTo(changed);
      long hash = changed.iterator().next();
      try (EmbeddingCache cache = EmbeddingCache.open(repo.embeddingCacheFile(), after.model(), after.dimension())) {
        assertThat(snapshot.deltaVectors().vector(hash)).get().isEqualTo(cache.get(after.model(), hash));
      }
    }
    assertThat(vectorFiles()).isEqualTo(named(after));
  }

  @Test
  void laterChanges_keepInTheDeltaExactlyTheLiveVectorsTheBaseLacks() throws Exception {
    index(CompactionPolicy.DEFAULT);
    String original = FILES.get("src/Mailer.java");
    write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons"));
    index(CompactionPolicy.DEFAULT);
    write("src/Weather.java", javaClass("Weather", "counts the sheep in a field at dusk"));
    index(CompactionPolicy.DEFAULT);
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      Set<Long> expected = new HashSet<>(hashesOf(snapshot, "src/Mailer.java"));
      expected.addAll(hashesOf(snapshot, "src/Weather.java"));
      assertThat(deltaHashes(snapshot.deltaVectors())).isEqualTo(expected);
    }

    write("src/Mailer.java", original); // back to what the base holds: out of the delta, not duplicated
    index(CompactionPolicy.DEFAULT);

    CommitInfo commit = commit();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(deltaHashes(snapshot.deltaVectors())).isEqualTo(hashesOf(snapshot, "src/Weather.java"));
      assertThat(hashesOf(snapshot, "src/Mailer.java")).allMatch(baseHashes(commit)::contains);
    }
    assertThat(vectorFiles()).isEqualTo(named(commit));
  }

  @Test
  void deletingAFile_leavesItsVectorInTheBaseWithoutDocumentsAndWritesNoDelta() throws Exception {
    index(CompactionPolicy.DEFAULT);
    CommitInfo before = commit();
    long deleted;
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      deleted = hashesOf(snapshot, "src/Cache.java").iterator().next();
    }
    Files.delete(root.resolve("src/Cache.java"));

    IndexResult run = index(CompactionPolicy.DEFAULT);

    assertThat(run.filesDeleted()).isEqualTo(1);
    CommitInfo after = commit();
    assertThat(after.vectorsFile()).isEqualTo(before.vectorsFile());
    assertThat(after.deltaFile()).isEmpty();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.vectors().contains(deleted)).isTrue();
      assertThat(snapshot.docsWithHash(deleted)).isEmpty();
    }
  }

  @Test
  void aDeltaPastItsLimit_rebuildsTheBaseAndEmptiesTheDelta() throws Exception {
    CompactionPolicy twoAtMost = new CompactionPolicy(2, 0.0, 1.0);
    index(twoAtMost);
    CommitInfo first = commit();
    write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons"));
    write("src/Weather.java", javaClass("Weather", "counts the sheep in a field at dusk"));
    index(twoAtMost);
    assertThat(commit().vectorsFile()).isEqualTo(first.vectorsFile());
    assertThat(commit().deltaFile()).isPresent();

    write("src/Matrix.java", javaClass("Matrix", "paints a sunset over the harbour in watercolour"));
    index(twoAtMost);

    CommitInfo rebuilt = commit();
    assertThat(rebuilt.vectorsFile()).isNotEqualTo(first.vectorsFile());
    assertThat(rebuilt.deltaFile()).isEmpty();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      Set<Long> live = liveHashes(snapshot);
      assertThat(snapshot.vectors().size()).isEqualTo(live.size());
      assertThat(live).allMatch(snapshot.vectors()::contains);
      assertThat(baseHashes(rebuilt).size()).isEqualTo(live.size());
      assertThat(live).allMatch(baseHashes(rebuilt)::contains);
    }
    assertThat(vectorFiles()).isEqualTo(named(rebuilt));
  }

  @Test
  void deadEntriesPastTheirLimit_rebuildTheBaseWithoutThem() throws Exception {
    CompactionPolicy tenthDead = new CompactionPolicy(4096, 0.1, 0.1);
    index(tenthDead);
    CommitInfo first = commit();
    Files.delete(root.resolve("src/Cache.java"));
    index(tenthDead); // one of twelve: under a tenth
    assertThat(commit().vectorsFile()).isEqualTo(first.vectorsFile());

    Files.delete(root.resolve("src/Logger.java")); // two of twelve: over
    index(tenthDead);

    CommitInfo rebuilt = commit();
    assertThat(rebuilt.vectorsFile()).isNotEqualTo(first.vectorsFile());
    assertThat(rebuilt.deltaFile()).isEmpty();
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.vectors().size()).isEqualTo(FILES.size() - 2);
      assertThat(baseHashes(rebuilt).size()).isEqualTo(FILES.size() - 2);
    }
  }

  @Test
  void clear_rebuildsTheBaseAndDropsTheDelta() throws Exception {
    index(CompactionPolicy.DEFAULT);
    write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons"));
    index(CompactionPolicy.DEFAULT);
    CommitInfo withDelta = commit();
    assertThat(withDelta.deltaFile()).isPresent();

    index(CompactionPolicy.DEFAULT, true);

    CommitInfo cleared = commit();
    assertThat(cleared.vectorsFile()).isNotEqualTo(withDelta.vectorsFile());
    assertThat(cleared.deltaFile()).isEmpty();
    assertThat(vectorFiles()).isEqualTo(named(cleared));
  }

  @Test
  void anIndexWithoutAHashList_isReadAsBeforeAndConvertedByItsNextCommit() throws Exception {
    index(CompactionPolicy.DEFAULT);
    CommitInfo old = commit();
    Files.delete(repo.indexDir().resolve(BaseHashes.fileNameFor(old.vectorsFile()))); // as before deltas
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.deltaVectors().size()).isZero();
      assertThat(snapshot.vectors().size()).isEqualTo(FILES.size());
    }

    write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons"));
    index(CompactionPolicy.DEFAULT);
    CommitInfo converted = commit();
    assertThat(converted.vectorsFile()).isNotEqualTo(old.vectorsFile());
    assertThat(converted.deltaFile()).isEmpty();

    write("src/Weather.java", javaClass("Weather", "counts the sheep in a field at dusk"));
    index(CompactionPolicy.DEFAULT);
    assertThat(commit().vectorsFile()).isEqualTo(converted.vectorsFile());
    assertThat(commit().deltaFile()).isPresent();
  }

  @Test
  void aCommit_removesVectorFilesItDoesNotName_staleTmpFilesIncluded() throws Exception {
    index(CompactionPolicy.DEFAULT);
    Path dir = repo.indexDir();
    for (String stale : new String[] {"vectors-1.hnsw", "vectors-1.hashes", "vectors-2.hnsw.tmp",
        "vectors-2.hashes.tmp", "delta-3.vec", "delta-4.vec.tmp"}) {
      Files.writeString(dir.resolve(stale), "left by a run that died");
    }
    write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons"));

    index(CompactionPolicy.DEFAULT);

    assertThat(vectorFiles()).isEqualTo(named(commit()));
  }

  @Test
  void aSnapshot_keepsItsVectorsAfterALaterCommitRebuildsTheBaseAndDeletesItsFiles() throws Exception {
    CompactionPolicy alwaysRebuild = new CompactionPolicy(0, 0.0, 0.0);
    index(alwaysRebuild);
    try (IndexSnapshot old = IndexSnapshot.open(repo)) {
      long oldMailer = hashesOf(old, "src/Mailer.java").iterator().next();
      write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons"));

      index(alwaysRebuild);

      assertThat(Files.exists(repo.indexDir().resolve(old.commit().vectorsFile()))).isFalse();
      assertThat(old.isCurrent()).isFalse();
      assertThat(old.vectors().contains(oldMailer)).isTrue(); // read through the file it opened
      assertThat(old.docsWithHash(oldMailer)).hasSize(1);
      try (IndexSnapshot current = IndexSnapshot.open(repo)) {
        long newMailer = hashesOf(current, "src/Mailer.java").iterator().next();
        assertThat(current.vectors().contains(newMailer)).isTrue();
        assertThat(current.docsWithHash(oldMailer)).isEmpty();
      }
    }
  }

  @Test
  void sizeOnDisk_countsEveryFileOfTheCommit_deltaIncluded() throws Exception {
    index(CompactionPolicy.DEFAULT);
    write("src/Mailer.java", javaClass("Mailer", "renders a birthday card with balloons"));
    index(CompactionPolicy.DEFAULT);
    long expected;
    try (Stream<Path> files = Files.list(repo.indexDir())) {
      expected = files.filter(p -> !p.getFileName().toString().equals("write.lock"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
    try (IndexSnapshot snapshot = IndexSnapshot.open(repo)) {
      assertThat(snapshot.commit().deltaFile()).isPresent();
      assertThat(snapshot.sizeOnDisk()).isEqualTo(expected);
    }
  }
}
