package dev.cidx.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cidx.index.IndexException;
import dev.cidx.protocol.Messages.IndexResult;
import dev.cidx.index.IndexScope;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpdateQueueTest {
  private static final IndexResult COMMITTED = new IndexResult(1, 1, 1, 0, 1, 1, 0, 0.1, true, false);

  private final List<IndexScope> updates = new CopyOnWriteArrayList<>();
  private UpdateQueue queue;

  @AfterEach
  void close() throws InterruptedException {
    if (queue != null) {
      queue.close();
      assertThat(queue.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void aBurstOfChanges_isOneUpdate_afterTheDebounce() {
    queue = new UpdateQueue("test-updates", (scope, cancelled) -> {
      updates.add(scope);
      return COMMITTED;
    }, UpdateQueue.Listener.NONE);
    Duration debounce = Duration.ofMillis(300);
    for (String path : List.of("a.java", "b.java", "src", "a.java")) {
      queue.add(IndexScope.of(List.of(path)), debounce);
    }
    assertThat(queue.idle()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(queue::idle);
    assertThat(updates).containsExactly(IndexScope.of(List.of("a.java", "b.java", "src")));
    assertThat(queue.status().updates()).isEqualTo(1);
    assertThat(queue.status().lastRun()).isEqualTo(COMMITTED);
  }

  @Test
  void changesNeverTried_countAsWorkInHand_butARetryOfAFailedUpdateDoesNot() throws Exception {
    CountDownLatch later = new CountDownLatch(1);
    queue = new UpdateQueue("test-updates", (scope, cancelled) -> {
      updates.add(scope);
      if (updates.size() == 1) {
        throw new IndexException("disk full");
      }
      later.await(10, TimeUnit.SECONDS); // a retry, if it comes, holds here
      return COMMITTED;
    }, UpdateQueue.Listener.NONE);
    queue.add(IndexScope.of(List.of("a.java")), Duration.ZERO);
    await().atMost(Duration.ofSeconds(10)).until(() -> queue.status().failures() == 1);
    assertThat(queue.hasUntriedChanges()).isFalse(); // only the retry waits (or runs)
    queue.add(IndexScope.of(List.of("b.java")), Duration.ofHours(1));
    assertThat(queue.hasUntriedChanges()).isTrue();
    later.countDown();
  }

  @Test
  void changesArrivingDuringAnUpdate_makeTheNextOne() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    queue = new UpdateQueue("test-updates", (scope, cancelled) -> {
      updates.add(scope);
      if (updates.size() == 1) {
        inFirst.countDown();
        release.await(10, TimeUnit.SECONDS);
      }
      return COMMITTED;
    }, UpdateQueue.Listener.NONE);
    queue.add(IndexScope.of(List.of("first.java")), Duration.ZERO);
    assertThat(inFirst.await(10, TimeUnit.SECONDS)).isTrue();
    queue.add(IndexScope.of(List.of("second.java")), Duration.ZERO);
    queue.add(IndexScope.of(List.of("third.java")), Duration.ZERO);
    assertThat(queue.status().updating()).isTrue();
    assertThat(queue.status().pendingPaths()).isEqualTo(2);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(queue::idle);
    assertThat(updates).containsExactly(IndexScope.of(List.of("first.java")),
        IndexScope.of(List.of("second.java", "third.java")));
  }

  @Test
  void aFailedUpdate_isRetriedWithItsScope_andSaysWhy() {
    AtomicInteger attempts = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    queue = new UpdateQueue("test-updates", (scope, cancelled) -> {
      updates.add(scope);
      if (attempts.incrementAndGet() == 1) {
        throw new IndexException("another `cidx index` is already writing this index; wait for it to finish");
      }
      return COMMITTED;
    }, new UpdateQueue.Listener() {
      @Override
      public void failed(IndexScope scope, Exception e) {
        failures.add(e.getMessage());
      }
    });
    queue.add(IndexScope.of(List.of("a.java")), Duration.ZERO);
    await().atMost(Duration.ofSeconds(10)).until(() -> queue.status().failures() == 1);
    assertThat(queue.status().lastError()).contains("already writing");
    await().atMost(UpdateQueue.RETRY_FIRST.plusSeconds(10)).until(() -> queue.status().updates() == 1);
    assertThat(updates).containsExactly(IndexScope.of(List.of("a.java")), IndexScope.of(List.of("a.java")));
    assertThat(failures).hasSize(1);
    assertThat(queue.status().lastError()).isNull();
  }

  @Test
  void close_cancelsTheRunningUpdate_andDropsWhatWaits() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean sawCancel = new AtomicBoolean();
    queue = new UpdateQueue("test-updates", (scope, cancelled) -> {
      updates.add(scope);
      running.countDown();
      await().atMost(Duration.ofSeconds(10)).until(cancelled::getAsBoolean);
      sawCancel.set(true);
      return new IndexResult(1, 0, 0, 0, 0, 0, 0, 0.1, false, true);
    }, UpdateQueue.Listener.NONE);
    queue.add(IndexScope.ALL, Duration.ZERO);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    queue.add(IndexScope.of(List.of("later.java")), Duration.ZERO);
    queue.close();
    assertThat(queue.awaitClosed(Duration.ofSeconds(10))).isTrue();
    assertThat(sawCancel).isTrue();
    assertThat(updates).containsExactly(IndexScope.ALL);
  }

  @Test
  void aSteadyStreamIsStillIndexed_withinThreeDebouncesOrTheMaximumWait() {
    assertThat(UpdateQueue.maxWait(Duration.ofSeconds(2))).isEqualTo(UpdateQueue.MAX_WAIT);
    assertThat(UpdateQueue.maxWait(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(90));
  }
}
