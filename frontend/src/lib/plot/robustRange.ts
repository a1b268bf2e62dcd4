/**
 * The y range a plot follows. `full` spans every value; `robust` spans the 1st to 99th
 * percentile with a margin, so a few spikes (a loss that jumps six-fold now and then) do not
 * squeeze the curves into a sliver — the spikes are still drawn, running off the top, and
 * marked at the edge. `auto` (the default) is robust when the data are spiky: when the values
 * beyond the percentiles would take more than half the height (the full span is more than
 * twice the percentile span); otherwise full.
 */

export type YRangeMode = 'auto' | 'robust' | 'full';
export const Y_RANGE_MODES: YRangeMode[] = ['auto', 'robust', 'full'];

export const LOW_Q = 0.01;
export const HIGH_Q = 0.99;
/** Auto goes robust when full span / percentile span exceeds this. */
export const SPIKY_RATIO = 2;
/** Added each side of the percentile span, as a fraction of it. */
export const MARGIN = 0.08;
/** Values sampled for the percentiles: enough for 1% quantiles, cheap at a million points. */
export const SAMPLE = 20_000;

/** An even-strided sample of the finite values of `columns` (mapped by `f`, e.g. log10), sorted. */
export function sortedSample(columns: ArrayLike<number>[], f: (v: number) => number = (v) => v, max = SAMPLE): Float64Array {
  let total = 0;
  for (const c of columns) total += c.length;
  const stride = Math.max(1, Math.ceil(total / max));
  // Straight into a typed array, visiting only the sampled rows: a workspace computes this
  // for every panel it opens.
  const out = new Float64Array(Math.ceil(total / stride));
  let n = 0;
  let k = 0; // the index, across all columns, of the first row of column `c`
  for (const c of columns) {
    for (let i = (stride - (k % stride)) % stride; i < c.length; i += stride) {
      const v = f(c[i] as number);
      if (Number.isFinite(v)) out[n++] = v;
    }
    k += c.length;
  }
  return out.subarray(0, n).sort();
}

/** The q-quantile of sorted values (linear between neighbours). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const f = q * (sorted.length - 1);
  const i = Math.floor(f);
  const a = sorted[i] as number;
  const b = sorted[Math.min(sorted.length - 1, i + 1)] as number;
  return a + (b - a) * (f - i);
}

/**
 * The [lo, hi] to follow instead of the full extent [fullLo, fullHi], or null to follow the
 * full extent (mode full, auto on data that are not spiky, or too few values to tell).
 */
export function robustRange(mode: YRangeMode, sorted: Float64Array, fullLo: number, fullHi: number): [number, number] | null {
  if (mode === 'full' || sorted.length < 20) return null;
  const lo = quantile(sorted, LOW_Q);
  const hi = quantile(sorted, HIGH_Q);
  const span = hi - lo;
  if (!(span > 0)) return null;
  if (mode === 'auto' && !(fullHi - fullLo > SPIKY_RATIO * span)) return null;
  // Never past the data: a margin that passes the extreme shows nothing there.
  return [Math.max(fullLo, lo - span * MARGIN), Math.min(fullHi, hi + span * MARGIN)];
}
