/**
 * Framework-free pagination state for the photo gallery grid.
 *
 * The server pages with opaque cursors (keyset pagination), so we cannot jump to "page 7"
 * directly. This helper remembers the cursor that starts every page seen so far, which gives
 * back/forward navigation, and computes the page-number strip shown under the grid
 * ("1 … 4 5 [6] 7 8 … 20") when the total count is known.
 */

export interface PageResult<T> {
  items: T[];
  nextCursor: string | null;
}

export type PageFetcher<T> = (cursor: string | null, pageSize: number, signal: AbortSignal) => Promise<PageResult<T>>;

export class GalleryPaginator<T> {
  /** cursors[i] is the cursor that loads page i (page 0 starts at null). */
  private readonly cursors: (string | null)[] = [null];
  private pageIndex = 0;
  private items: T[] = [];
  private hasNext = false;
  private inFlight: AbortController | null = null;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    readonly pageSize = 48,
  ) {}

  get currentPage(): number {
    return this.pageIndex + 1;
  }

  get currentItems(): readonly T[] {
    return this.items;
  }

  get canGoBack(): boolean {
    return this.pageIndex > 0;
  }

  get canGoForward(): boolean {
    return this.hasNext;
  }

  /** Loads the first page, discarding any history (e.g. after a filter change). */
  async reset(): Promise<void> {
    this.cursors.length = 1;
    await this.load(0);
  }

  async next(): Promise<void> {
    if (!this.hasNext) return;
    await this.load(this.pageIndex + 1);
  }

  async previous(): Promise<void> {
    if (this.pageIndex === 0) return;
    await this.load(this.pageIndex - 1);
  }

  /**
   * Loads page `index`. A newer navigation cancels an older one that is still loading,
   * so fast clicking never shows a stale page.
   */
  private async load(index: number): Promise<void> {
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;

    let result: PageResult<T>;
    try {
      result = await this.fetchPage(this.cursors[index], this.pageSize, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return; // superseded by a newer navigation
      throw err;
    } finally {
      if (this.inFlight === controller) this.inFlight = null;
    }
    if (controller.signal.aborted) return;

    this.pageIndex = index;
    this.items = result.items;
    this.hasNext = result.nextCursor !== null;
    if (result.nextCursor !== null) {
      this.cursors[index + 1] = result.nextCursor;
    }
  }
}

/** An entry of the page strip: a page number or a gap ("…"). */
export type PageLink = { kind: "page"; page: number; current: boolean } | { kind: "gap" };

/**
 * Computes which page numbers to show: always the first and last page, plus `siblings`
 * pages on each side of the current one, with gaps in between.
 *
 * pageWindow(6, 20)  ->  1 … 4 5 [6] 7 8 … 20
 */
export function pageWindow(current: number, totalPages: number, siblings = 2): PageLink[] {
  if (totalPages <= 0) return [];
  const clamp = (n: number) => Math.min(totalPages, Math.max(1, n));
  const page = clamp(current);
  const start = clamp(page - siblings);
  const end = clamp(page + siblings);

  const links: PageLink[] = [];
  const push = (p: number) => links.push({ kind: "page", page: p, current: p === page });

  if (start > 1) {
    push(1);
    if (start > 2) links.push({ kind: "gap" });
  }
  for (let p = start; p <= end; p++) push(p);
  if (end < totalPages) {
    if (end < totalPages - 1) links.push({ kind: "gap" });
    push(totalPages);
  }
  return links;
}

/** Number of pages needed for `totalItems` at `pageSize` items per page. */
export function totalPages(totalItems: number, pageSize: number): number {
  return pageSize > 0 ? Math.ceil(totalItems / pageSize) : 0;
}
