/**
 * M4 level of detail on the client: the server reduces what it sends (docs/http-api.md), and
 * the client must keep what it holds consistent with that when it zooms (splicing finer data
 * for the zoomed range into the coarse overview) and when live rows keep arriving (reducing
 * the growing raw tail so memory and draw time stay bounded).
 */

export interface XY {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Per pixel column of [xmin, xmax], the first, min-y, max-y and last points, in their
 * original order: a line drawn through them covers the same pixels as the full line.
 * Input must be sorted by x; points outside [xmin, xmax] fall into the first or last column.
 */
export function m4Reduce(x: ArrayLike<number>, y: ArrayLike<number>, xmin: number, xmax: number, pixels: number): XY {
  const n = x.length;
  const px = Math.max(1, Math.floor(pixels));
  if (n <= 4 * px || !(xmax > xmin)) return { x: Float64Array.from(x), y: Float64Array.from(y) };
  const outX = new Float64Array(Math.min(n, 4 * (px + 2)) + 8);
  const outY = new Float64Array(outX.length);
  let m = 0;
  const scale = px / (xmax - xmin);
  const bucketOf = (v: number): number => Math.min(px - 1, Math.max(0, Math.floor((v - xmin) * scale)));
  let i = 0;
  const emit = (k: number): void => {
    if (m >= outX.length) return;
    outX[m] = x[k] as number;
    outY[m] = y[k] as number;
    m++;
  };
  while (i < n) {
    const b = bucketOf(x[i] as number);
    const first = i;
    let lo = i;
    let hi = i;
    while (i < n && bucketOf(x[i] as number) === b) {
      const v = y[i] as number;
      if (v < (y[lo] as number)) lo = i;
      if (v > (y[hi] as number)) hi = i;
      i++;
    }
    const last = i - 1;
    // Emit in index order so the line's path stays the same; skip duplicates.
    const picks = [first, lo, hi, last].sort((a, b2) => a - b2);
    let prev = -1;
    for (const k of picks) {
      if (k !== prev) emit(k);
      prev = k;
    }
  }
  return { x: outX.slice(0, m), y: outY.slice(0, m) };
}

/** Index of the first x >= v in a sorted array (binary search). */
export function lowerBound(x: ArrayLike<number>, v: number, n: number = x.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((x[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first x > v in a sorted array. */
export function upperBound(x: ArrayLike<number>, v: number, n: number = x.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((x[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Replaces the part of `base` within [a, b] by `detail` (finer data for that range, from a
 * zoomed-in request). Both sorted by x. Points of `detail` outside [a, b] are ignored: the
 * base already holds that part at its own resolution.
 */
export function spliceRange(base: XY, detail: XY, a: number, b: number): XY {
  const i0 = lowerBound(base.x, a);
  const i1 = upperBound(base.x, b);
  const d0 = lowerBound(detail.x, a);
  const d1 = upperBound(detail.x, b);
  const n = i0 + (d1 - d0) + (base.x.length - i1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  x.set(base.x.subarray(0, i0), 0);
  y.set(base.y.subarray(0, i0), 0);
  x.set(detail.x.subarray(d0, d1), i0);
  y.set(detail.y.subarray(d0, d1), i0);
  x.set(base.x.subarray(i1), i0 + d1 - d0);
  y.set(base.y.subarray(i1), i0 + d1 - d0);
  return { x, y };
}

/** True when x never decreases: binary searches and splicing are only valid then. */
export function isSorted(x: ArrayLike<number>, from = 0, n: number = x.length): boolean {
  for (let i = Math.max(1, from); i < n; i++) if ((x[i] as number) < (x[i - 1] as number)) return false;
  return true;
}
