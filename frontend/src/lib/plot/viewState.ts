/**
 * The visible range of a plot and the mouse gestures that change it, in scale space (log10
 * of values on a log axis), so panning and zooming are the same arithmetic on both kinds.
 */
import type { View } from '../render/layers';

export interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export function emptyExtent(): Extent {
  return { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
}

/** Grows `e` by the finite points of x/y (values in data units, mapped to scale space). */
export function extendExtent(e: Extent, x: ArrayLike<number>, y: ArrayLike<number>, logX: boolean, logY: boolean, from = 0): void {
  for (let i = from; i < x.length; i++) {
    let vx = x[i] as number;
    let vy = y[i] as number;
    if (logX) vx = vx > 0 ? Math.log10(vx) : NaN;
    if (logY) vy = vy > 0 ? Math.log10(vy) : NaN;
    if (!Number.isFinite(vx) || !Number.isFinite(vy)) continue;
    if (vx < e.x0) e.x0 = vx;
    if (vx > e.x1) e.x1 = vx;
    if (vy < e.y0) e.y0 = vy;
    if (vy > e.y1) e.y1 = vy;
  }
}

/** A view that shows the extent with a little room, and something sane when it is empty or flat. */
export function fitView(e: Extent, logX: boolean, logY: boolean): View {
  const pad = (lo: number, hi: number, frac: number): [number, number] => {
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
    if (hi === lo) {
      const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 0.5;
      return [lo - d, hi + d];
    }
    const d = (hi - lo) * frac;
    return [lo - d, hi + d];
  };
  const [x0, x1] = pad(e.x0, e.x1, 0.01);
  const [y0, y1] = pad(e.y0, e.y1, 0.05);
  return { x0, x1, y0, y1, logX, logY };
}

/** Moves the view by a pixel delta (dx right, dy down) of a w × h data area. */
export function pan(v: View, dxPx: number, dyPx: number, w: number, h: number): View {
  const dx = (dxPx / w) * (v.x1 - v.x0);
  const dy = (dyPx / h) * (v.y1 - v.y0);
  return { ...v, x0: v.x0 - dx, x1: v.x1 - dx, y0: v.y0 + dy, y1: v.y1 + dy };
}

/**
 * Zooms around a point (px, py from the data area's top-left) by factors per axis (< 1 zooms
 * in). The point under the cursor stays under the cursor.
 */
export function zoomAt(v: View, px: number, py: number, w: number, h: number, fx: number, fy: number): View {
  const cx = v.x0 + (px / w) * (v.x1 - v.x0);
  const cy = v.y1 - (py / h) * (v.y1 - v.y0);
  const next = {
    ...v,
    x0: cx - (cx - v.x0) * fx,
    x1: cx + (v.x1 - cx) * fx,
    y0: cy - (cy - v.y0) * fy,
    y1: cy + (v.y1 - cy) * fy,
  };
  return limited(next) ? v : next;
}

/** The view a dragged box selects. */
export function boxView(v: View, ax: number, ay: number, bx: number, by: number, w: number, h: number): View {
  const sx = (p: number): number => v.x0 + (p / w) * (v.x1 - v.x0);
  const sy = (p: number): number => v.y1 - (p / h) * (v.y1 - v.y0);
  return { ...v, x0: sx(Math.min(ax, bx)), x1: sx(Math.max(ax, bx)), y0: sy(Math.max(ay, by)), y1: sy(Math.min(ay, by)) };
}

/**
 * Zooming stops where float64 stops telling neighbouring values apart (span below ~1e-12 of
 * the position) or past astronomically large spans.
 */
function limited(v: View): boolean {
  const tooSmall = (a: number, b: number): boolean => b - a < Math.max(Math.abs(a), Math.abs(b), 1e-300) * 1e-12;
  const tooBig = (a: number, b: number): boolean => !Number.isFinite(b - a) || b - a > 1e300;
  return tooSmall(v.x0, v.x1) || tooSmall(v.y0, v.y1) || tooBig(v.x0, v.x1) || tooBig(v.y0, v.y1);
}

/** Data units of a scale-space position. */
export function toData(p: number, log: boolean): number {
  return log ? 10 ** p : p;
}
