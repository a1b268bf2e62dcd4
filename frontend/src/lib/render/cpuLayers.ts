/**
 * Lines and points of a dataset drawn with the CPU rasterizer (cpuRaster.ts), with the same
 * colors, sizes and visible-range culling as the GL layers, so the two paths look alike.
 */
import type { Line, LineSet } from '../data/lineSet';
import { lowerBound, upperBound } from '../data/m4';
import type { PointSet } from '../data/pointSet';
import { categoricalColor, continuousColor, isCategorical, type RGBA } from '../plot/palette';
import { drawLine, drawPoints, pack, type CpuImage, type PixelMap } from './cpuRaster';
import type { PointStyle, View } from './layers';

export function drawLinesCpu(img: CpuImage, map: PixelMap, set: LineSet, view: View, colorOf: (line: Line) => RGBA, alpha = 1): void {
  const lo = view.logX ? 10 ** view.x0 : view.x0;
  const hi = view.logX ? 10 ** view.x1 : view.x1;
  for (const line of set.lines.values()) {
    const xs = line.x.values();
    const ys = line.y.values();
    let first = 0;
    let end = xs.length;
    if (line.sorted) {
      first = Math.max(0, lowerBound(xs, lo) - 1);
      end = Math.min(end, upperBound(xs, hi) + 1);
    }
    const c = colorOf(line);
    const a = alpha * (c[3] / 255); // as the GL layer: a hidden line (alpha 0) is not drawn
    if (end - first < 1 || a <= 0) continue;
    drawLine(img, map, xs, ys, first, end, pack(c, a));
  }
}

function lut(palette: string | undefined, categorical: boolean): Uint32Array {
  const cycle = categorical && isCategorical(palette ?? 'tab10');
  const n = cycle ? 20 : 256;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = pack(cycle ? categoricalColor(palette ?? 'tab10', i, n) : continuousColor(palette, i / (n - 1)));
  return out;
}

/**
 * Points, colored and sized exactly as the point shader does (shaders.ts, POINT_VS); `at`
 * places them elsewhere than at their x, y (a 3-D scatter's projected positions), drawn in
 * its `order` when it has one (far to near: near points end on top).
 */
export function drawPointsCpu(img: CpuImage, map: PixelMap, set: PointSet, style: PointStyle, dpr: number, at?: { x: Float64Array; y: Float64Array; order?: Uint32Array }): void {
  const cv = set.color.values();
  const sv = set.size.values();
  const single = pack(style.color);
  const table = lut(style.palette, style.colorMode === 2 || style.colorMode === 3);
  const [c0, c1] = style.colorRange;
  const cspan = c1 - c0;
  let color: (i: number) => number;
  if (style.colorMode === 0) color = () => single;
  else if (style.colorMode === 2) color = (i) => table[((cv[i] as number) | 0) % table.length] as number;
  else {
    color = (i) => {
      const t = cspan > 0 ? Math.min(1, Math.max(0, ((cv[i] as number) - c0) / cspan)) : 0.5;
      return table[Math.round(t * 255)] as number;
    };
  }
  const [p0, p1] = style.sizePx;
  const sr = style.sizeRange;
  let diameter: (i: number) => number;
  if (!sr) {
    const d = Math.max(1, Math.round(p0 * dpr));
    diameter = () => d;
  } else {
    const span = sr[1] - sr[0];
    diameter = (i) => {
      const t = span > 0 ? Math.min(1, Math.max(0, ((sv[i] as number) - sr[0]) / span)) : 0.5;
      return Math.max(1, Math.round((p0 + (p1 - p0) * Math.sqrt(t)) * dpr));
    };
  }
  drawPoints(img, map, at?.x ?? set.x.values(), at?.y ?? set.y.values(), color, diameter, at?.order);
}
