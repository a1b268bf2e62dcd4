/**
 * Layouts of a RectSet's rects other than the default ones (stacked bars, cells, one box per
 * category), chosen by the plot's view setting or by the data:
 *
 * - `ridgeline` (view, histogram over steps): each step bin's counts as a filled curve
 *   over the value bins, offset upward by the step, overlapping the ones behind it; x is
 *   the value, y the step. Fills keep the count's color (the color bar still reads), a dark
 *   outline tells one ridge from the next.
 * - `group` (view, bars with a color): each category's parts side by side, not stacked.
 * - boxes with a color: each category's boxes side by side, one per color value.
 *
 * Each is a pure rewrite of the arrays RectSet filled, so it is tested without a page.
 */
import type { RectSet } from './rectSet';

/** How far a ridge's tallest bin reaches, in step bins: tall enough to read, overlapping a little. */
export const RIDGE_OVERLAP = 1.8;
/** The part of a category's slot its side-by-side bars or boxes fill (the rest is the gap). */
const SLOT = 0.8;

interface Rects {
  x0: number[];
  x1: number[];
  y0: number[];
  y1: number[];
  value: number[];
  colorKey: string[];
  runOf: string[];
  readouts: [string, string][][];
}

function empty(): Rects {
  return { x0: [], x1: [], y0: [], y1: [], value: [], colorKey: [], runOf: [], readouts: [] };
}

function assign(set: RectSet, r: Rects): void {
  set.x0 = Float64Array.from(r.x0);
  set.x1 = Float64Array.from(r.x1);
  set.y0 = Float64Array.from(r.y0);
  set.y1 = Float64Array.from(r.y1);
  set.value = Float64Array.from(r.value);
  set.colorKey = r.colorKey;
  set.runOf = r.runOf;
  set.readouts = r.readouts;
}

/**
 * Cells (x: step bin, y: value bin, value: count) as ridges. Ridges are drawn from the last
 * step to the first, so an earlier (lower) ridge covers the foot of the one behind it. Each
 * ridge's height is its counts over the largest count of all ridges (one scale, so ridges
 * compare), RIDGE_OVERLAP step bins at the tallest.
 */
export function toRidges(set: RectSet): void {
  const byStep = new Map<number, number[]>();
  let top = 0;
  for (let i = 0; i < set.length; i++) {
    const k = set.x0[i] as number;
    const rows = byStep.get(k);
    if (rows) rows.push(i);
    else byStep.set(k, [i]);
    top = Math.max(top, set.value[i] as number);
  }
  const out = empty();
  const steps = [...byStep.keys()].sort((a, b) => b - a);
  for (const step of steps) {
    const rows = (byStep.get(step) as number[]).sort((a, b) => (set.y0[a] as number) - (set.y0[b] as number));
    const first = rows[0] as number;
    const base = step; // the step bin's low edge: ridges sit on their step
    const scale = (RIDGE_OVERLAP * ((set.x1[first] as number) - step)) / Math.max(top, 1);
    const marks = empty();
    let prevTop = base;
    let prevHigh = NaN;
    for (const i of rows) {
      const lo = set.y0[i] as number;
      const hi = set.y1[i] as number;
      const count = set.value[i] as number;
      const h = base + count * scale;
      const readout: [string, string][] = [['step', `[${fmt(step)}, ${fmt(set.x1[i] as number)})`], ['bin', `[${fmt(lo)}, ${fmt(hi)})`], ['count', fmt(count)]];
      push(out, lo, hi, base, h, count, '', set.runOf[i] ?? '', readout);
      // The outline: the bin's top, and a riser from the previous bin's top (or the base).
      push(marks, lo, hi, h, h, NaN, '\u0000mark', set.runOf[i] ?? '', readout);
      if (lo !== prevHigh && !Number.isNaN(prevHigh)) {
        // A gap (bins without rows are not sent): close the ridge before it.
        push(marks, prevHigh, prevHigh, base, prevTop, NaN, '\u0000mark', set.runOf[i] ?? '', []);
      }
      const from = lo === prevHigh ? prevTop : base;
      push(marks, lo, lo, Math.min(from, h), Math.max(from, h), NaN, '\u0000mark', set.runOf[i] ?? '', readout);
      prevTop = h;
      prevHigh = hi;
    }
    const last = rows[rows.length - 1] as number;
    push(marks, set.y1[last] as number, set.y1[last] as number, base, prevTop, NaN, '\u0000mark', set.runOf[last] ?? '', []);
    for (const key of Object.keys(out) as (keyof Rects)[]) (out[key] as unknown[]).push(...(marks[key] as unknown[]));
  }
  assign(set, out);
}

function push(r: Rects, x0: number, x1: number, y0: number, y1: number, value: number, key: string, run: string, readout: [string, string][]): void {
  r.x0.push(x0);
  r.x1.push(x1);
  r.y0.push(y0);
  r.y1.push(y1);
  r.value.push(value);
  r.colorKey.push(key);
  r.runOf.push(run);
  r.readouts.push(readout);
}

/**
 * The first `count` rects (bars or boxes, before any marks) set side by side within their
 * category: the parts of one category (same x0..x1 slot) share its width in the order of
 * their color keys, sorted, so a color sits at the same place in every category. Bars start
 * from 0 (no stacking). `inset` is the part of the slot RectSet left on each side.
 */
export function sideBySide(set: RectSet, count: number, inset: number, unstack: boolean): void {
  const slots = new Map<string, number[]>();
  const keys = [...new Set(set.colorKey.slice(0, count))].sort();
  const rank = new Map(keys.map((k, j) => [k, j]));
  for (let i = 0; i < count; i++) {
    const slot = `${set.x0[i]}:${set.x1[i]}`;
    const rows = slots.get(slot);
    if (rows) rows.push(i);
    else slots.set(slot, [i]);
  }
  if (keys.length < 2) return;
  for (const rows of slots.values()) {
    const first = rows[0] as number;
    const mid = ((set.x0[first] as number) + (set.x1[first] as number)) / 2;
    const wide = ((set.x1[first] as number) - (set.x0[first] as number)) / (1 - 2 * inset); // the category's slot
    const each = (SLOT * wide) / keys.length;
    const left = mid - (SLOT * wide) / 2;
    for (const i of rows) {
      const j = rank.get(set.colorKey[i] as string) ?? 0;
      const a = left + j * each;
      set.x0[i] = a + 0.05 * each;
      set.x1[i] = a + 0.95 * each;
      if (unstack) {
        const h = (set.y1[i] as number) - (set.y0[i] as number);
        set.y0[i] = 0;
        set.y1[i] = h;
      }
    }
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}
