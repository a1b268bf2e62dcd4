/**
 * What a run captured (src/streamvis/model/capture.py names it): the run page's data from
 * GET /api/runs/{handle}/capture and /console, and the run search's progress column from
 * GET /api/progress (docs/http-api.md, "Run capture").
 */
import { getJSON } from './http';

export type Bar = {
  desc: string;
  done: number;
  total: number; // -1: unknown (a spinner)
  rate: number | null;
  elapsed: number | null;
  time: number | null;
  eta: number | null;
};

export type RunCapture = {
  handle: string;
  started_at: number;
  tags: string[];
  attributes: Record<string, number | string | boolean | null>;
  /** Attributes by prefix group: "command", "config", "git", "env", and "" for the rest. */
  groups: Record<string, Record<string, number | string | boolean | null>>;
  /** Long texts: "git.diff", "git.untracked", "env.packages", and any logger.log_text key. */
  texts: Record<string, string>;
  series: { name: string; rows: number }[];
  progress: Bar[];
  /** The last `system` sample (null: the run sampled none), and the GPUs' last rows. */
  system: Record<string, number | null> | null;
  gpus: Record<string, number | null>[];
};

export type ConsoleLine = { line: number; time: number; stream: string; text: string };
export type ConsolePage = { lines: ConsoleLine[]; next: number };

/**
 * Attribute prefixes of what a logger captures by itself (model/capture.py): one value per
 * run for most (argv, pid, hostname), so the run search leaves them out of its columns and
 * filters, and the run page shows them. `config.` stays: it is what runs are compared by.
 */
export const CAPTURED_PREFIXES = ['command.', 'env.', 'git.'];
export const isCaptured = (name: string): boolean => CAPTURED_PREFIXES.some((p) => name.startsWith(p));

/** The order the run page shows attribute groups in (model/capture.py's PREFIXES, then the rest). */
export const GROUP_ORDER = ['command', 'config', 'git', 'env', ''];

export const runCapture = {
  capture: (handle: string, signal?: AbortSignal) =>
    getJSON<RunCapture>(`/api/runs/${encodeURIComponent(handle)}/capture`, signal),
  console: (handle: string, after: number, search: string, signal?: AbortSignal) => {
    const q = new URLSearchParams({ after: String(after) });
    if (search) q.set('search', search);
    return getJSON<ConsolePage>(`/api/runs/${encodeURIComponent(handle)}/console?${q}`, signal);
  },
  /** Rows each run has over its own series (capture's left out): the search's rows column. */
  rows: (handles: string[], signal?: AbortSignal) =>
    getJSON<Record<string, number>>(`/api/run-rows?runs=${handles.map(encodeURIComponent).join(',')}`, signal),
  /** When each run's last rows were written (seconds since the epoch): the duration column. */
  times: (handles: string[], signal?: AbortSignal) =>
    getJSON<Record<string, number>>(`/api/run-times?runs=${handles.map(encodeURIComponent).join(',')}`, signal),
  progress: (handles: string[], signal?: AbortSignal) =>
    getJSON<Record<string, Bar[]>>(`/api/progress?runs=${handles.map(encodeURIComponent).join(',')}`, signal),
};

/** "1h 02m", "3m 05s", "42s": a duration for an ETA. */
export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** A bar's text read-out: "epoch 3: 50/100 (50%), ETA 5s" or "load: 3" for a spinner. */
export function barText(b: Bar): string {
  const head = b.desc ? `${b.desc}: ` : '';
  if (b.total < 0) return `${head}${b.done}`;
  const pct = b.total > 0 ? Math.floor((100 * b.done) / b.total) : 100;
  const eta = b.done < b.total && b.eta !== null ? `, ETA ${formatSeconds(b.eta)}` : '';
  return `${head}${b.done}/${b.total} (${pct}%)${eta}`;
}

/** 1536 -> "1.5 KiB": a byte count for the system read-outs. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
