/**
 * Drawing data on the CPU, for software GL (SwiftShader, llvmpipe).
 *
 * Measured in headless Chromium on SwiftShader with 2 cores (docs/decisions/0003): drawing
 * 1,000,000 points as GL points took 500 ms (3 px) to 1,400 ms (sized), and 470,000 line
 * vertices 660 ms; the loops below do the same in tens of milliseconds, because SwiftShader
 * pays a large fixed cost per primitive that a plain loop writing pixels does not. The
 * result is uploaded into the plot's frame-cache texture, so everything after (panning,
 * compositing, the shared context) is the same as on a GPU.
 *
 * Pixels are premultiplied RGBA packed little-endian in a Uint32Array, row 0 at the bottom
 * (GL's texture orientation), written opaque: blending per pixel would double the cost.
 */
import type { View } from './layers';
import type { RGBA } from '../plot/palette';

export class CpuImage {
  readonly pixels: Uint32Array;
  readonly bytes: Uint8Array;

  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.pixels = new Uint32Array(w * h);
    this.bytes = new Uint8Array(this.pixels.buffer);
  }
}

/** A color as the image stores it (little-endian RGBA): premultiplied by `alpha`, as GL blends (a faint line). */
export function pack(c: RGBA, alpha = 1): number {
  if (alpha >= 1) return ((255 << 24) | ((c[2] & 255) << 16) | ((c[1] & 255) << 8) | (c[0] & 255)) >>> 0;
  const m = (v: number): number => Math.round((v & 255) * alpha);
  return ((Math.round(alpha * 255) << 24) | (m(c[2]) << 16) | (m(c[1]) << 8) | m(c[0])) >>> 0;
}

/** Maps data to pixel coordinates of an image covering `view` (scale space). */
export class PixelMap {
  readonly kx: number;
  readonly ky: number;

  constructor(
    readonly view: View,
    w: number,
    h: number,
  ) {
    this.kx = w / (view.x1 - view.x0);
    this.ky = h / (view.y1 - view.y0);
  }

  x(v: number): number {
    return ((this.view.logX ? Math.log10(v) : v) - this.view.x0) * this.kx;
  }

  y(v: number): number {
    return ((this.view.logY ? Math.log10(v) : v) - this.view.y0) * this.ky;
  }
}

const disks = new Map<number, Int32Array>();

/**
 * A filled disk of the given diameter as horizontal spans (dy, dx0, dx1 triples, dx1
 * exclusive): filling a span with the typed array's native fill beats writing its pixels one
 * by one once points are more than a few pixels wide.
 */
function disk(d: number): Int32Array {
  let hit = disks.get(d);
  if (hit) return hit;
  const r = d / 2;
  const c = d % 2 === 1 ? 0 : 0.5; // pixel centers relative to the point's pixel
  const out: number[] = [];
  const lo = -Math.floor(r);
  const hi = Math.ceil(r) - 1;
  for (let dy = lo; dy <= hi; dy++) {
    let x0 = Infinity;
    let x1 = -Infinity;
    for (let dx = lo; dx <= hi; dx++) {
      const cx = dx + c;
      const cy = dy + c;
      if (cx * cx + cy * cy <= r * r + 0.25) {
        x0 = Math.min(x0, dx);
        x1 = Math.max(x1, dx + 1);
      }
    }
    if (x1 > x0) out.push(dy, x0, x1);
  }
  hit = Int32Array.from(out.length > 0 ? out : [0, 0, 1]);
  disks.set(d, hit);
  return hit;
}

/**
 * Draws points: `color(i)` gives a packed color, `diameter(i)` a size in device pixels.
 * One-pixel points, the common case for dense scatters, skip the disk loop. `order`, when
 * given, is which points to draw and in what order (the last drawn is on top); else all,
 * in row order.
 */
export function drawPoints(
  img: CpuImage,
  map: PixelMap,
  x: Float64Array,
  y: Float64Array,
  color: (i: number) => number,
  diameter: (i: number) => number,
  order?: Uint32Array,
): void {
  const { w, h, pixels } = img;
  const count = order ? order.length : x.length;
  for (let k = 0; k < count; k++) {
    const i = order ? (order[k] as number) : k;
    const px = Math.floor(map.x(x[i] as number));
    const py = Math.floor(map.y(y[i] as number));
    const d = diameter(i);
    const r = d >> 1;
    if (!(px >= -r && py >= -r && px < w + r && py < h + r)) continue; // NaN fails too
    const c = color(i);
    if (d <= 1) {
      if (px >= 0 && py >= 0 && px < w && py < h) pixels[py * w + px] = c;
      continue;
    }
    const spans = disk(d);
    for (let k = 0; k < spans.length; k += 3) {
      const qy = py + (spans[k] as number);
      if (qy < 0 || qy >= h) continue;
      const x0 = Math.max(0, px + (spans[k + 1] as number));
      const x1 = Math.min(w, px + (spans[k + 2] as number));
      if (x1 <= x0) continue;
      const row = qy * w;
      if (x1 - x0 <= 4) for (let x = x0; x < x1; x++) pixels[row + x] = c;
      else pixels.fill(c, row + x0, row + x1);
    }
  }
}

/** A one-pixel line from (x0, y0) to (x1, y1), clipped to the image (Bresenham). */
export function drawSegment(img: CpuImage, x0: number, y0: number, x1: number, y1: number, c: number): void {
  const { w, h, pixels } = img;
  // Reject what is wholly outside (or NaN) before stepping through it.
  if (!(Math.max(x0, x1) >= 0 && Math.min(x0, x1) < w && Math.max(y0, y1) >= 0 && Math.min(y0, y1) < h)) return;
  // Clip long segments to a generous box so a zoomed-in view never walks millions of pixels.
  const lim = 4 * Math.max(w, h);
  if (Math.abs(x0) > lim || Math.abs(x1) > lim || Math.abs(y0) > lim || Math.abs(y1) > lim) {
    [x0, y0, x1, y1] = clip(x0, y0, x1, y1, -1, -1, w + 1, h + 1);
    if (Number.isNaN(x0)) return;
  }
  let ax = Math.floor(x0);
  let ay = Math.floor(y0);
  const bx = Math.floor(x1);
  const by = Math.floor(y1);
  if (ax === bx) {
    // Within one pixel column, as most of an M4 line's segments are (first, min, max, last
    // of a column): the same pixels as the loop below, without its steps.
    if (ax < 0 || ax >= w) return;
    const top = Math.min(h - 1, Math.max(ay, by));
    for (let row = Math.max(0, Math.min(ay, by)), i = row * w + ax; row <= top; row++, i += w) pixels[i] = c;
    return;
  }
  const dx = Math.abs(bx - ax);
  const dy = -Math.abs(by - ay);
  const sx = ax < bx ? 1 : -1;
  const sy = ay < by ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    if (ax >= 0 && ay >= 0 && ax < w && ay < h) pixels[ay * w + ax] = c;
    if (ax === bx && ay === by) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      ax += sx;
    }
    if (e2 <= dx) {
      err += dx;
      ay += sy;
    }
  }
}

/** Liang-Barsky clipping of a segment to a box; NaNs when nothing is inside. */
export function clip(x0: number, y0: number, x1: number, y1: number, xmin: number, ymin: number, xmax: number, ymax: number): [number, number, number, number] {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const edges: [number, number][] = [
    [-dx, x0 - xmin],
    [dx, xmax - x0],
    [-dy, y0 - ymin],
    [dy, ymax - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return [NaN, NaN, NaN, NaN];
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  if (t0 > t1) return [NaN, NaN, NaN, NaN];
  return [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
}

/** A polyline through points [from, to) of x/y. */
export function drawLine(img: CpuImage, map: PixelMap, x: Float64Array, y: Float64Array, from: number, to: number, c: number): void {
  if (to - from === 1) {
    drawSegment(img, map.x(x[from] as number), map.y(y[from] as number), map.x(x[from] as number), map.y(y[from] as number), c);
    return;
  }
  let px = map.x(x[from] as number);
  let py = map.y(y[from] as number);
  for (let i = from + 1; i < to; i++) {
    const qx = map.x(x[i] as number);
    const qy = map.y(y[i] as number);
    drawSegment(img, px, py, qx, qy, c);
    px = qx;
    py = qy;
  }
}

/**
 * Fills between two lines given as pairs (x[2i], y[2i]) below and (x[2i+1], y[2i+1]) above,
 * x increasing by pair: per pixel column, the span between the two interpolated edges (what
 * a GL triangle strip over the same pairs covers).
 */
export function fillBetween(img: CpuImage, map: PixelMap, x: Float64Array, y: Float64Array, c: number): void {
  const pairs = Math.floor(x.length / 2);
  for (let i = 0; i + 1 < pairs; i++) {
    const xa = map.x(x[2 * i] as number);
    const xb = map.x(x[2 * i + 2] as number);
    if (!(xb > xa)) continue;
    const lo0 = map.y(y[2 * i] as number);
    const hi0 = map.y(y[2 * i + 1] as number);
    const lo1 = map.y(y[2 * i + 2] as number);
    const hi1 = map.y(y[2 * i + 3] as number);
    const from = Math.max(0, Math.ceil(xa - 0.5));
    const to = Math.min(img.w - 1, Math.ceil(xb - 0.5) - 1);
    for (let px = from; px <= to; px++) {
      const t = (px + 0.5 - xa) / (xb - xa);
      const a = lo0 + (lo1 - lo0) * t;
      const b = hi0 + (hi1 - hi0) * t;
      const y0 = Math.max(0, Math.round(Math.min(a, b)));
      const y1 = Math.min(img.h - 1, Math.round(Math.max(a, b)) - 1);
      for (let py = y0; py <= y1; py++) img.pixels[py * img.w + px] = c;
    }
  }
}
