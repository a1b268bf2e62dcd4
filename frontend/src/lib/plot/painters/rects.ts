/**
 * Rectangles: the bins, cells and boxes of the aggregating kinds (histogram, heatmap, bar,
 * box), added up on the server. Cells are colored by their value on the continuous scale
 * (a color bar explains it), bars and boxes by their part (run, or the color field's value).
 * On a GPU each rect is a scissored clear (no shader: a few thousand rects a frame); on
 * software GL, spans written into the CPU image.
 */
import { RectSet } from '../../data/rectSet';
import { pack, type CpuImage, type PixelMap } from '../../render/cpuRaster';
import type { View } from '../../render/layers';
import type { DatasetState } from '../dataset';
import type { Nearest } from '../hover';
import type { RGBA } from '../palette';
import type { PlotStyles } from '../styles';
import type { Painter } from './painter';

const MARK: RGBA = [40, 40, 40, 255];
/**
 * Distribution bands, outermost (0) to the two around the median (3): how much of the run's
 * color each takes over the white background, lighter outward (TensorBoard's shading, in
 * each run's own color so the runs of a workspace tell apart as in every other panel).
 */
export const BAND_STRENGTH = [0.25, 0.45, 0.7, 1];

function bandColor(run: RGBA, level: number): RGBA {
  const f = BAND_STRENGTH[level] ?? 1;
  const mix = (v: number): number => Math.round(255 - f * (255 - v));
  return [mix(run[0]), mix(run[1]), mix(run[2]), 255];
}

function rectColor(ds: DatasetState, set: RectSet, i: number, styles: PlotStyles): RGBA {
  const v = set.value[i] as number;
  if (Number.isFinite(v)) return ds.color.color(v);
  const key = set.colorKey[i] as string;
  if (key === '\u0000mark') return MARK;
  if (key.startsWith('\u0000band:')) return bandColor(styles.runColor(set.runOf[i] ?? ''), Number(key.slice(6)));
  return ds.color.continuous ? ds.color.color(Number(key)) : ds.color.color(key);
}

/** The pixel span [a, b) of data range [lo, hi] on one axis, at least one pixel wide. */
function span(lo: number, hi: number, toPx: (v: number) => number, size: number): [number, number] {
  let a = toPx(lo);
  let b = toPx(hi);
  if (Number.isNaN(a) || Number.isNaN(b)) return [0, 0];
  if (a > b) [a, b] = [b, a];
  let ia = Math.round(a);
  let ib = Math.round(b);
  if (ib <= ia) {
    ia = Math.floor(a);
    ib = ia + 1;
  }
  return [Math.max(0, Math.min(size, ia)), Math.max(0, Math.min(size, ib))];
}

function each(set: RectSet, map: PixelMap, w: number, h: number, fill: (i: number, x0: number, x1: number, y0: number, y1: number) => void): void {
  const px = (v: number): number => map.x(v);
  const py = (v: number): number => {
    const y = map.y(v);
    return map.view.logY && v <= 0 ? -1e9 : y; // a bar's base 0 on a log axis: the bottom
  };
  for (let i = 0; i < set.length; i++) {
    const [x0, x1] = span(set.x0[i] as number, set.x1[i] as number, px, w);
    const [y0, y1] = span(set.y0[i] as number, set.y1[i] as number, py, h);
    if (x1 > x0 && y1 > y0) fill(i, x0, x1, y0, y1);
  }
}

export const rects: Painter = {
  id: 'rects',
  refinesOnZoom: false,
  reloadsOnAppend: true,
  holder: (req, color, _size, view) => new RectSet({ keys: req.group.slice(1), color, aggregate: req.aggregate ?? 'count', view }),
  colorColumn: (req) => (req.t ? 'count' : req.y && !req.category ? 'value' : null),
  gpuLayer() {
    return {
      sync() {},
      draw(res, ds, view, styles) {
        const set = ds.rects;
        if (!set) return;
        const gl = res.gl;
        const vp = gl.getParameter(gl.VIEWPORT) as Int32Array;
        const w = vp[2] as number;
        const h = vp[3] as number;
        const map = { view, kx: w / (view.x1 - view.x0), ky: h / (view.y1 - view.y0) } as PixelMap;
        const m = { ...map, x: (v: number) => ((view.logX ? Math.log10(v) : v) - view.x0) * map.kx, y: (v: number) => ((view.logY ? Math.log10(v) : v) - view.y0) * map.ky } as PixelMap;
        gl.enable(gl.SCISSOR_TEST);
        each(set, m, w, h, (i, x0, x1, y0, y1) => {
          const c = rectColor(ds, set, i, styles);
          gl.scissor(x0, y0, x1 - x0, y1 - y0);
          gl.clearColor(c[0] / 255, c[1] / 255, c[2] / 255, 1);
          gl.clear(gl.COLOR_BUFFER_BIT);
        });
        gl.disable(gl.SCISSOR_TEST);
        gl.clearColor(0, 0, 0, 0);
      },
      dispose() {},
    };
  },
  drawCpu(img: CpuImage, map: PixelMap, ds: DatasetState, _view: View, styles: PlotStyles) {
    const set = ds.rects;
    if (!set) return;
    each(set, map, img.w, img.h, (i, x0, x1, y0, y1) => {
      const c = pack(rectColor(ds, set, i, styles));
      for (let y = y0; y < y1; y++) img.pixels.fill(c, y * img.w + x0, y * img.w + x1);
    });
  },
  nearest: (ds, view, w, h, px, py, best) => (ds.rects ? nearestRect(ds.rects, view, w, h, px, py, best) : best),
};

/**
 * The rect under the cursor (or within a few pixels of it: whiskers are thin). Looked for
 * from the last drawn back: where rects overlap (ridgelines), the one in front answers.
 */
export function nearestRect(set: RectSet, view: View, w: number, h: number, px: number, py: number, best: Nearest | null): Nearest | null {
  const sx = (v: number): number => ((view.logX ? Math.log10(v) : v) - view.x0) * (w / (view.x1 - view.x0));
  const sy = (v: number): number => h - ((view.logY ? Math.log10(v) : v) - view.y0) * (h / (view.y1 - view.y0));
  let bi = -1;
  let bd = Math.min(best?.dist2 ?? Infinity, 25);
  for (let i = set.length - 1; i >= 0; i--) {
    const a = sx(set.x0[i] as number);
    const b = sx(set.x1[i] as number);
    const top = sy(set.y1[i] as number);
    const bottom = set.y0[i] as number;
    const c = view.logY && bottom <= 0 ? h : sy(bottom);
    const dx = px < Math.min(a, b) ? Math.min(a, b) - px : px > Math.max(a, b) ? px - Math.max(a, b) : 0;
    const dy = py < Math.min(top, c) ? Math.min(top, c) - py : py > Math.max(top, c) ? py - Math.max(top, c) : 0;
    const d = dx * dx + dy * dy;
    if (d < bd || (d === 0 && bi < 0)) {
      bd = d;
      bi = i;
      if (d === 0) break;
    }
  }
  if (bi < 0) return best;
  const x = ((set.x0[bi] as number) + (set.x1[bi] as number)) / 2;
  const y = set.y1[bi] as number;
  return { px, py, x, y, run: set.runOf[bi] ?? '', labels: set.readouts[bi] ?? [], line: null, index: bi, dist2: bd };
}
