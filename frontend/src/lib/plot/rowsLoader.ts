/**
 * Loading the rows a text or table plot shows, again when rows of its series land: one
 * request at a time, the newest wins, live reloads at most every RELOAD_MS.
 */
import { fetchData, type DataBatch } from '../api/arrowData';
import { liveEvents } from '../api/events';
import type { DataRequest } from '../api/types';

export const RELOAD_MS = 250;

export class RowsLoader {
  private abort: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: (() => void) | null = null;
  private request: DataRequest | null = null;

  constructor(private readonly done: (batch: DataBatch | null, error: string | null) => void) {}

  /** Load `req` now, and again whenever rows are appended to its series. */
  load(req: DataRequest): void {
    this.request = req;
    this.unsubscribe ??= liveEvents().subscribe({
      event: (ev) => {
        if (ev.type === 'rows_appended' && ev.series === this.request?.series) this.later();
        else if (ev.type === 'run_deleted' || ev.type === 'run_replaced') this.later();
      },
      open: (reconnected) => {
        if (reconnected) this.later();
      },
    });
    this.fetch();
  }

  private later(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fetch();
    }, RELOAD_MS);
  }

  private fetch(): void {
    const req = this.request;
    if (!req) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    fetchData(req, abort.signal).then(
      (batch) => {
        if (!abort.signal.aborted) this.done(batch, null);
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        this.done(null, e instanceof Error ? e.message : String(e));
      },
    );
  }

  dispose(): void {
    this.abort?.abort();
    if (this.timer !== null) clearTimeout(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
