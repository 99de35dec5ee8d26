package dev.cidx.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cidx.config.DaemonSettings;
import dev.cidx.daemon.Expiry.Action;
import dev.cidx.daemon.Expiry.Result;
import dev.cidx.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each expiry rule alone, with time from a clock the test moves. */
class ExpiryTest {
  MutableClock clock = new MutableClock();
  DaemonStateCoordinator state = new DaemonStateCoordinator(clock);
  AtomicReference<DaemonSettings> settings = new AtomicReference<>(DaemonSettings.DEFAULTS);
  AtomicBoolean cacheLoaded = new AtomicBoolean(true);
  AtomicBoolean watching = new AtomicBoolean();
  IdleTtlExpiry idle = new IdleTtlExpiry(state, settings::get, cacheLoaded::get, watching::get);

  @BeforeEach
  void ready() {
    state.ready();
  }

  @Test
  void idleTtl_doesNothingBeforeTheTtl() {
    clock.advance(Duration.ofMinutes(9).plusSeconds(59));
    assertThat(idle.check()).isEqualTo(Result.NONE);
  }

  @Test
  void idleTtl_stopsAfterTheTtl_whenAutoShutdownIsOn() {
    clock.advance(Duration.ofMinutes(10));
    assertThat(idle.check()).isEqualTo(
        new Result(Action.STOP, "idle for 10m (ttl_minutes 10.0), auto_shutdown_on_idle"));
  }

  @Test
  void idleTtl_onlyDropsTheCache_whenAutoShutdownIsOff_andOnlyOnce() {
    settings.set(new DaemonSettings(true, 10.0, false, 60.0, 4, null));
    clock.advance(Duration.ofMinutes(11));
    assertThat(idle.check()).isEqualTo(new Result(Action.DROP_CACHE, "idle for 11m (ttl_minutes 10.0)"));
    cacheLoaded.set(false);
    assertThat(idle.check()).isEqualTo(Result.NONE);
  }

  @Test
  void idleTtl_aRequestInFlightIsNeverIdle() {
    assertThat(state.beginRequest(true)).isTrue();
    clock.advance(Duration.ofHours(1));
    assertThat(idle.check()).isEqualTo(Result.NONE);
    state.endRequest(true);
    assertThat(idle.check()).isEqualTo(Result.NONE); // the request's end is activity
    clock.advance(Duration.ofMinutes(10));
    assertThat(idle.check().action()).isEqualTo(Action.STOP);
  }

  @Test
  void idleTtl_aDaemonThatWatchesIsNeverIdle() {
    watching.set(true);
    clock.advance(Duration.ofHours(3));
    assertThat(idle.check()).isEqualTo(Result.NONE);
    watching.set(false);
    assertThat(idle.check().action()).isEqualTo(Action.STOP);
  }

  @Test
  void idleTtl_observingTheDaemonIsNotActivity() {
    clock.advance(Duration.ofMinutes(6));
    state.beginRequest(false); // ping, status
    state.endRequest(false);
    clock.advance(Duration.ofMinutes(4));
    assertThat(idle.check().action()).isEqualTo(Action.STOP);
  }

  @Test
  void idleTtl_readsTheCurrentSettings() {
    clock.advance(Duration.ofSeconds(40));
    assertThat(idle.check()).isEqualTo(Result.NONE);
    settings.set(DaemonSettings.DEFAULTS.withTtlMinutes(0.5));
    assertThat(idle.check()).isEqualTo(
        new Result(Action.STOP, "idle for 40s (ttl_minutes 0.5), auto_shutdown_on_idle"));
  }

  @Test
  void socketReplaced_stopsOnceTheSocketIsNotOurs() {
    AtomicBoolean ours = new AtomicBoolean(true);
    SocketReplacedExpiry rule = new SocketReplacedExpiry(Path.of("/r/.code-indexer/daemon.sock"), ours::get);
    assertThat(rule.check()).isEqualTo(Result.NONE);
    ours.set(false);
    assertThat(rule.check()).isEqualTo(new Result(Action.STOP,
        "socket /r/.code-indexer/daemon.sock was removed or replaced by another process"));
  }

  @Test
  void any_picksTheMostDrasticResult_firstReasonAmongEquals() {
    Expiry drop = () -> new Result(Action.DROP_CACHE, "drop");
    Expiry stopA = () -> new Result(Action.STOP, "a");
    Expiry stopB = () -> new Result(Action.STOP, "b");
    assertThat(new AnyExpiry(List.of(drop, stopA, stopB)).check()).isEqualTo(new Result(Action.STOP, "a"));
    assertThat(new AnyExpiry(List.of(() -> Result.NONE, drop)).check()).isEqualTo(new Result(Action.DROP_CACHE, "drop"));
    assertThat(new AnyExpiry(List.of()).check()).isEqualTo(Result.NONE);
  }
}
