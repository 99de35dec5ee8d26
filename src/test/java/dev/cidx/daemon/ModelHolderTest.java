package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cidx.search.SearchException;
import dev.cidx.testing.FakeCacheLoader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lending the model to index runs: who gets which model, and when a run's model may be closed. */
class ModelHolderTest {
  final FakeCacheLoader loader = new FakeCacheLoader();
  final AtomicReference<String> configured = new AtomicReference<>("m1");
  final AtomicReference<CacheLoader.Model> cached = new AtomicReference<>();
  final ModelHolder holder = new ModelHolder(loader, configured::get, cached::get);

  @AfterEach
  void tearDown() {
    holder.close();
  }

  @Test
  void borrow_withNothingCached_loadsTheModelOnce_andKeepsItAsTheSpareForTheNextRunAndTheCache() throws Exception {
    CacheLoader.Model first;
    try (ModelHolder.BorrowedModel run = holder.borrow("m1")) {
      first = run.model();
    }
    try (ModelHolder.BorrowedModel run = holder.borrow("m1")) {
      assertThat(run.model()).isSameAs(first);
    }
    assertThat(loader.modelLoads.get()).isEqualTo(1);
    assertThat(holder.loads()).isEqualTo(1);
    assertThat(loader.modelCloses.get()).isZero();
    holder.lock();
    try {
      assertThat(holder.spareFor("m1")).isSameAs(first);
      assertThat(holder.spareFor("m2")).isNull();
    } finally {
      holder.unlock();
    }
  }

  @Test
  void borrow_ofTheCachedModel_lendsTheCachesCopy_andLoadsNothing() throws Exception {
    CacheLoader.Model inCache = loader.loadModel("m1");
    cached.set(inCache);
    try (ModelHolder.BorrowedModel run = holder.borrow("m1")) {
      assertThat(run.model()).isSameAs(inCache);
    }
    assertThat(loader.modelLoads.get()).isEqualTo(1); // the test's own load only
    assertThat(loader.modelCloses.get()).isZero();
  }

  @Test
  void awaitReturned_waitsUntilEveryBorrowerHasGivenItsModelBack() throws Exception {
    ModelHolder.BorrowedModel a = holder.borrow("m1");
    ModelHolder.BorrowedModel b = holder.borrow("m1");
    CompletableFuture<Boolean> dropped = CompletableFuture.supplyAsync(() -> {
      holder.lock();
      try {
        return holder.awaitReturned(null);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      } finally {
        holder.unlock();
      }
    });
    a.close();
    a.close(); // a second return must not count as b's
    assertThat(dropped).isNotDone();
    b.close();
    await().until(dropped::isDone);
    assertThat(dropped.get()).isTrue();
  }

  @Test
  void awaitReturned_withATimeout_givesUpWhileARunStillHoldsTheModel() throws Exception {
    try (ModelHolder.BorrowedModel run = holder.borrow("m1")) {
      holder.lock();
      try {
        assertThat(holder.awaitReturned(Duration.ofMillis(1))).isFalse();
      } finally {
        holder.unlock();
      }
    }
  }

  @Test
  void lastReturn_closesASpareThatConfigNoLongerNames_butKeepsOneItStillNames() throws Exception {
    try (ModelHolder.BorrowedModel run = holder.borrow("m1")) {
      assertThat(run.model().name()).isEqualTo("m1");
    }
    assertThat(loader.modelCloses.get()).isZero();

    ModelHolder.BorrowedModel run = holder.borrow("m1");
    configured.set("m2"); // config.json changed during the run
    run.close();
    assertThat(loader.modelCloses.get()).isEqualTo(1);
    holder.lock();
    try {
      assertThat(holder.takeSpare()).isNull();
    } finally {
      holder.unlock();
    }
  }

  @Test
  void borrowOfAnotherModel_closesTheSpareNoRunHolds() throws Exception {
    holder.borrow("m1").close();
    configured.set("m2");
    try (ModelHolder.BorrowedModel run = holder.borrow("m2")) {
      assertThat(run.model().name()).isEqualTo("m2");
      assertThat(loader.modelCloses.get()).isEqualTo(1); // m1
    }
    assertThat(loader.modelCloses.get()).isEqualTo(1); // m2 is configured: kept as the spare
  }

  @Test
  void borrowOfAnotherModel_leavesTheSpareARunStillHolds() throws Exception {
    try (ModelHolder.BorrowedModel first = holder.borrow("m1");
         ModelHolder.BorrowedModel second = holder.borrow("m2")) {
      assertThat(second.model().name()).isEqualTo("m2");
      assertThat(first.model().name()).isEqualTo("m1");
      assertThat(loader.modelCloses.get()).isZero();
    }
  }

  @Test
  void aModelThatCannotLoad_isReportedAsASearchExceptionNamingIt() {
    CacheLoader broken = new CacheLoader() {
      @Override
      public Model loadModel(String modelName) {
        throw new IllegalStateException("no such file");
      }

      @Override
      public Index openIndex() {
        throw new UnsupportedOperationException();
      }

      @Override
      public dev.cidx.search.QueryService searcher(Model model, Index index) {
        throw new UnsupportedOperationException();
      }
    };
    ModelHolder failing = new ModelHolder(broken, configured::get, cached::get);
    try {
      assertThatThrownBy(() -> failing.borrow("m1"))
          .isInstanceOf(SearchException.class)
          .hasMessage("cannot load the embedding model m1: no such file");
    } finally {
      failing.close();
    }
  }
}
