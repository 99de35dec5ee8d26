/**
 * Typed client for the photos REST API used by the web gallery.
 *
 * Every request can be cancelled: callers pass an AbortSignal (for example when the user
 * navigates away or types a new search), and the client also aborts requests that exceed
 * `timeoutMs`. Idempotent requests (GET, PUT, DELETE) that fail with a network error or a
 * 502/503/504 are retried with exponential backoff; a cancelled request is never retried.
 */

export interface Photo {
  id: string;
  fileName: string;
  takenAt: string | null;
  width: number;
  height: number;
  thumbnailUrl: string;
}

export interface PhotoPage {
  photos: Photo[];
  /** Opaque cursor for the next page, or null on the last page. */
  nextCursor: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE"]);

export class PhotoApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly getToken: () => string | null,
    private readonly defaults: Required<Omit<RequestOptions, "signal">> = { timeoutMs: 10_000, retries: 2 },
  ) {}

  listPhotos(cursor: string | null, pageSize = 50, options: RequestOptions = {}): Promise<PhotoPage> {
    const params = new URLSearchParams({ limit: String(pageSize) });
    if (cursor) params.set("cursor", cursor);
    return this.request<PhotoPage>("GET", `/v1/photos?${params}`, undefined, options);
  }

  searchPhotos(query: string, options: RequestOptions = {}): Promise<Photo[]> {
    const params = new URLSearchParams({ q: query });
    return this.request<Photo[]>("GET", `/v1/photos/search?${params}`, undefined, options);
  }

  deletePhoto(id: string, options: RequestOptions = {}): Promise<void> {
    return this.request<void>("DELETE", `/v1/photos/${encodeURIComponent(id)}`, undefined, options);
  }

  /**
   * Sends one request, retrying transient failures. Rejects with an `AbortError` DOMException
   * when the caller's signal fires, and with ApiError for non-2xx answers.
   */
  async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs;
    const maxRetries = IDEMPOTENT_METHODS.has(method) ? (options.retries ?? this.defaults.retries) : 0;

    for (let attempt = 0; ; attempt++) {
      options.signal?.throwIfAborted();
      try {
        return await this.send<T>(method, path, body, options.signal, timeoutMs);
      } catch (err) {
        if (isAbort(err) && options.signal?.aborted) {
          throw err; // cancelled by the caller: stop immediately
        }
        if (attempt >= maxRetries || !isRetryable(err)) {
          throw err;
        }
        await sleep(backoffDelay(attempt), options.signal);
      }
    }
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<T> {
    // One controller per attempt, aborted by either the caller's signal or our timeout.
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new DOMException("request timed out", "TimeoutError")), timeoutMs);

    try {
      const headers: Record<string, string> = { Accept: "application/json" };
      const token = this.getToken();
      if (token) headers.Authorization = `Bearer ${token}`;
      if (body !== undefined) headers["Content-Type"] = "application/json";

      const response = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      if (!response.ok) {
        const text = await response.text().catch(() => "");
        throw new ApiError(response.status, text || response.statusText);
      }
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    }
  }
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}

function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) return RETRYABLE_STATUS.has(err.status);
  if (err instanceof DOMException) return err.name === "TimeoutError";
  return err instanceof TypeError; // fetch() reports network failures as TypeError
}

/** 300 ms, 600 ms, 1200 ms … with ±25% jitter, capped at 5 s. */
function backoffDelay(attempt: number): number {
  const base = Math.min(5_000, 300 * 2 ** attempt);
  return base * (0.75 + Math.random() * 0.5);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
