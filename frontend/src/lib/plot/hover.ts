/**
 * The nearest point to the cursor, for the hover readout. Sorted lines are searched by x
 * around the cursor (binary search, then a bounded window); scatter points and unsorted lines
 * are scanned, which is a few milliseconds for a million points and runs at most once a frame.
 */
import type { Line, LineSet } from '../data/lineSet';
import { lowerBound } from '../data/m4';
import type { PointSet } from '../data/pointSet';
import type { View } from '../render/layers';

export interface Nearest {
  /** Position in the data area, CSS pixels from its top-left. */
  px: number;
  py: number;
  x: number;
  y: number;
  run: string;
  labels: [string, string][];
  line: Line | null;
  /** Index of the point in its point set (scatter). */
  index: number;
  dist2: number;
  /** The smoothed line's value at the point, when the plot smooths its lines. */
  smoothed?: number;
}

interface Mapper {
  sx(v: number): number;
  sy(v: number): number;
}

function mapper(view: View, w: number, h: number): Mapper {
  const kx = w / (view.x1 - view.x0);
  const ky = h / (view.y1 - view.y0);
  return {
    sx: view.logX ? (v) => (Math.log10(v) - view.x0) * kx : (v) => (v - view.x0) * kx,
    sy: view.logY ? (v) => h - (Math.log10(v) - view.y0) * ky : (v) => h - (v - view.y0) * ky,
  };
}

const WINDOW = 64; // points each side of the cursor's x examined on a sorted line

export function nearestOnLines(set: LineSet, view: View, w: number, h: number, px: number, py: number, best: Nearest | null): Nearest | null {
  const m = mapper(view, w, h);
  const cursorX = view.x0 + (px / w) * (view.x1 - view.x0);
  const xData = view.logX ? 10 ** cursorX : cursorX;
  for (const line of set.lines.values()) {
    const xs = line.x.values();
    const ys = line.y.values();
    let from = 0;
    let to = xs.length;
    if (line.sorted) {
      const i = lowerBound(xs, xData);
      from = Math.max(0, i - WINDOW);
      to = Math.min(xs.length, i + WINDOW);
    }
    for (let i = from; i < to; i++) {
      const qx = m.sx(xs[i] as number);
      const qy = m.sy(ys[i] as number);
      const d = (qx - px) ** 2 + (qy - py) ** 2;
      if (Number.isFinite(d) && (best === null || d < best.dist2)) {
        best = { px: qx, py: qy, x: xs[i] as number, y: ys[i] as number, run: line.run, labels: line.labels, line, index: i, dist2: d };
      }
    }
  }
  return best;
}

export function nearestPoint(set: PointSet, view: View, w: number, h: number, px: number, py: number, best: Nearest | null): Nearest | null {
  const m = mapper(view, w, h);
  const xs = set.x.values();
  const ys = set.y.values();
  let bi = -1;
  let bd = best?.dist2 ?? Infinity;
  for (let i = 0; i < xs.length; i++) {
    const d = (m.sx(xs[i] as number) - px) ** 2 + (m.sy(ys[i] as number) - py) ** 2;
    if (d < bd) {
      bd = d;
      bi = i;
    }
  }
  if (bi < 0) return best;
  const run = set.runNames[set.run.get(bi)] ?? '';
  return { px: m.sx(xs[bi] as number), py: m.sy(ys[bi] as number), x: xs[bi] as number, y: ys[bi] as number, run, labels: [], line: null, index: bi, dist2: bd };
}

/** The index of a line's point nearest `x` (by x alone), or -1 for an empty line. */
export function indexNearestX(line: Line, x: number): number {
  const xs = line.x.values();
  if (xs.length === 0) return -1;
  if (line.sorted) {
    const i = lowerBound(xs, x);
    if (i <= 0) return 0;
    if (i >= xs.length) return xs.length - 1;
    return x - (xs[i - 1] as number) <= (xs[i] as number) - x ? i - 1 : i;
  }
  let bi = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs((xs[i] as number) - x) < Math.abs((xs[bi] as number) - x)) bi = i;
  return bi;
}

/** One line's row of the crosshair read-out. */
export interface CrossRow {
  key: string;
  label: string;
  color: string;
  x: number;
  y: number;
  /** The smoothed value there, when the plot smooths its lines. */
  smoothed: number | null;
}

/**
 * The crosshair's rows sorted by value, highest first (as the lines lie on screen): the
 * smoothed value when there is one, since that is the line drawn strong.
 */
export function sortRows(rows: CrossRow[]): CrossRow[] {
  const v = (r: CrossRow): number => (r.smoothed ?? r.y);
  return rows.filter((r) => Number.isFinite(v(r))).sort((a, b) => v(b) - v(a));
}
