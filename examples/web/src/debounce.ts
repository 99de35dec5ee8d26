/**
 * Debounce and throttle helpers for UI events.
 *
 * The gallery's search box calls the API on every keystroke; debouncing waits until the
 * user has stopped typing for `waitMs` before firing, which cuts requests by an order of
 * magnitude. Window resize handlers use `throttle` instead so the layout still updates
 * while the user is dragging.
 */

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Drops a pending call without running it (e.g. when the component unmounts). */
  cancel(): void;
  /** Runs a pending call immediately, if there is one. */
  flush(): void;
  readonly pending: boolean;
}

export interface DebounceOptions {
  /** Also fire on the leading edge of a burst (first call runs at once). */
  leading?: boolean;
  /** Upper bound on how long a call can be postponed during a continuous burst. */
  maxWaitMs?: number;
}

/**
 * Returns a function that delays invoking `fn` until `waitMs` milliseconds have elapsed
 * since the last time it was called. Only the latest arguments are used.
 */
export function debounce<A extends unknown[]>(
  fn: (...args: A) => void,
  waitMs: number,
  options: DebounceOptions = {},
): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastArgs: A | undefined;
  let burstStart: number | undefined;

  const invoke = () => {
    const args = lastArgs;
    lastArgs = undefined;
    burstStart = undefined;
    timer = undefined;
    if (args) fn(...args);
  };

  const debounced = ((...args: A) => {
    const now = Date.now();
    const isNewBurst = timer === undefined;
    if (isNewBurst) burstStart = now;
    lastArgs = args;

    if (isNewBurst && options.leading) {
      fn(...args);
      lastArgs = undefined; // already handled; only fire again if more calls arrive
    }

    if (timer !== undefined) clearTimeout(timer);
    let delay = waitMs;
    if (options.maxWaitMs !== undefined && burstStart !== undefined) {
      delay = Math.min(waitMs, Math.max(0, burstStart + options.maxWaitMs - now));
    }
    timer = setTimeout(invoke, delay);
  }) as Debounced<A>;

  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastArgs = undefined;
    burstStart = undefined;
  };

  debounced.flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      invoke();
    }
  };

  Object.defineProperty(debounced, "pending", { get: () => timer !== undefined && lastArgs !== undefined });
  return debounced;
}

/** Invokes `fn` about once every `intervalMs` during a burst, on both the leading and trailing edge. */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, intervalMs: number): Debounced<A> {
  return debounce(fn, intervalMs, { leading: true, maxWaitMs: intervalMs });
}
