/**
 * Smoothing of a line plot (PlotSpec.smooth; checks/smoothing.py on the server): an
 * exponential moving average de-biased as TensorBoard does, or a trailing moving window.
 * The browser smooths the points it holds — M4-reduced when a line is long — because they
 * are what is drawn, and a change of weight then needs no request
 * (docs/decisions/0016-lines-smoothing.md).
 */
import type { Smoothing } from '../api/types';
import { Column } from './column';
import { LineSet, type Line } from './lineSet';

export type { Smoothing };

/**
 * TensorBoard's smoothing: an EMA started at 0 and divided by 1 − weight^k after k finite
 * points, so the start is not pulled toward zero. Non-finite points are passed through and
 * do not enter the average.
 */
export function emaDebiased(y: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(y.length);
  let last = 0;
  let k = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    k++;
    out[i] = weight === 1 ? last : last / (1 - weight ** k);
  }
  return out;
}

/** The mean of each point and the `size` − 1 finite points before it. */
export function movingWindow(y: ArrayLike<number>, size: number): Float64Array {
  const out = new Float64Array(y.length);
  const ring = new Float64Array(Math.max(1, size));
  let sum = 0;
  let n = 0;
  let at = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    if (n === ring.length) sum -= ring[at] as number;
    else n++;
    ring[at] = v;
    sum += v;
    at = (at + 1) % ring.length;
    out[i] = sum / n;
  }
  return out;
}

export function smooth(y: ArrayLike<number>, s: Smoothing): Float64Array {
  return 'ema' in s ? emaDebiased(y, s.ema) : movingWindow(y, s.window);
}

/** A smoothing that changes nothing (ema 0, window 1) draws no second line. */
export function isSmoothing(s: Smoothing | undefined | null): s is Smoothing {
  if (!s) return false;
  return 'ema' in s ? s.ema > 0 && s.ema < 1 : s.window > 1;
}

/**
 * The smoothed copy of a LineSet's lines, in the same shape, so the GL layer, the CPU
 * rasterizer and the hover draw and search it like any lines. A line is smoothed again only
 * when it changed (a new rev or more points); the copy keeps its Line object otherwise, so
 * its GPU buffer stays.
 */
export class SmoothedLines {
  readonly set: LineSet;
  private seen = new Map<string, { rev: number; length: number }>();

  constructor(private readonly raw: LineSet, readonly smoothing: Smoothing) {
    this.set = new LineSet(raw.bindings);
  }

  update(): LineSet {
    for (const key of this.set.lines.keys()) {
      if (!this.raw.lines.has(key)) {
        this.set.lines.delete(key);
        this.seen.delete(key);
      }
    }
    for (const [key, line] of this.raw.lines) {
      const was = this.seen.get(key);
      if (was && was.rev === line.rev && was.length === line.x.length && this.set.lines.has(key)) continue;
      const copy: Line = { ...line, x: Column.from(line.x.values()), y: Column.from(smooth(line.y.values(), this.smoothing)), rev: 0 };
      this.set.lines.set(key, copy);
      this.seen.set(key, { rev: line.rev, length: line.x.length });
      this.set.version++;
    }
    return this.set;
  }

  /** The smoothed value of `line` at point `index` of the raw line, or null. */
  valueAt(line: Line, index: number): number | null {
    const s = this.set.lines.get(line.key);
    return s && index < s.y.length ? s.y.get(index) : null;
  }
}
