/**
 * Smoothing of a line plot (PlotSpec.smooth; checks/smoothing.py on the server): an
 * exponential moving average de-biased as TensorBoard does, or a trailing moving window.
 * The browser smooths the points it holds — M4-reduced when a line is long — because they
 * are what is drawn, and a change of weight then needs no request
 * (docs/decisions/0017-line-family.md).
 */
import type { Smoothing } from '../api/types';
import { DerivedLines } from './derivedLines';
import type { LineSet } from './lineSet';

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

/** The smoothed copy of a LineSet's lines (see DerivedLines). */
export class SmoothedLines extends DerivedLines {
  constructor(raw: LineSet, readonly smoothing: Smoothing) {
    super(raw, (x, y) => ({ x, y: smooth(y, smoothing) }));
  }
}
