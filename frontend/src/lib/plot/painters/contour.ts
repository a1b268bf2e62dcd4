/**
 * Contours: iso-lines of z over each run's (x, y) grid (gridded on the server), found by
 * marching squares in the browser (lib/data/contour.ts). The plot's `levels` (default 10)
 * are spread evenly inside the color scale's z domain, so facets that share the scale share
 * the levels; each line is colored by its level on the palette (a color bar in the legend).
 * `filled` colors each grid node's cell by the band between levels its z falls in (the
 * band's middle value on the palette) and draws the lines over it in a dark ink.
 *
 * The lines are a LineSet (one line per polyline), so the GL line layer and the CPU
 * rasterizer draw them as they draw any lines; the cells are scissored clears on a GPU and
 * spans on the CPU, as the rects painter draws heatmap cells.
 */
import { Column } from '../../data/column';
import { bandOf, contourLevels, isoLines, nodeEdges } from '../../data/contour';
import { ContourSet } from '../../data/contourSet';
import { LineSet, type Line } from '../../data/lineSet';
import { drawLinesCpu } from '../../render/cpuLayers';
import { pack, type PixelMap } from '../../render/cpuRaster';
import { GpuLines, type View } from '../../render/layers';
import type { DatasetState } from '../dataset';
import { formatValue } from '../format';
import type { Nearest } from '../hover';
import type { RGBA } from '../palette';
import type { Painter } from './painter';

/** Levels when the spec names none. */
export const DEFAULT_LEVELS = 10;
/** The lines' ink over filled bands. */
const INK: RGBA = [40, 40, 40, 255];

function contourOf(ds: DatasetState): ContourSet | null {
  return ds.data instanceof ContourSet ? ds.data : null;
}

interface Drawn {
  key: string;
  levels: number[];
  lines: LineSet;
}

const drawn = new WeakMap<ContourSet, Drawn>();

/** The levels and their lines for the dataset's current color domain, made once per change. */
function linesOf(ds: DatasetState, set: ContourSet): Drawn {
  const [lo, hi] = ds.color.domain();
  const key = `${set.rev}/${lo}/${hi}/${set.levels}`;
  const hit = drawn.get(set);
  if (hit && hit.key === key) return hit;
  const levels = contourLevels(lo, hi, set.levels);
  const lines = new LineSet({ x: set.bindings.x, y: set.bindings.y, group: [], color: set.bindings.z });
  for (const g of set.grids) {
    levels.forEach((level, k) => {
      isoLines(g, level).forEach((p, n) => {
        const line: Line = {
          key: `${g.run}\u0000${k}\u0000${n}`, run: g.run, labels: [[set.bindings.z, formatValue(level)]], colorValue: level,
          x: Column.from(p.x), y: Column.from(p.y), sorted: false, rev: 0, reducedLength: p.x.length,
        };
        lines.lines.set(line.key, line);
      });
    });
  }
  lines.version++;
  const made = { key, levels, lines };
  drawn.set(set, made);
  return made;
}

/** The color of band b: its middle value on the palette (the outer bands end at the domain's ends). */
function bandColor(ds: DatasetState, levels: number[], b: number): RGBA {
  const [lo, hi] = ds.color.domain();
  const a = b === 0 ? lo : (levels[b - 1] as number);
  const c = b === levels.length ? hi : (levels[b] as number);
  return ds.color.color((a + c) / 2);
}

/**
 * The filled cells as pixel boxes (x0, x1, y0, y1 from the bottom) with their band: per grid
 * row, neighbouring nodes of one band make one box, so a 1,000 x 1,000 grid costs a box
 * per band crossing rather than a million scissored clears.
 */
function eachCell(set: ContourSet, levels: number[], map: PixelMap, w: number, h: number, fill: (band: number, x0: number, x1: number, y0: number, y1: number) => void): void {
  for (const g of set.grids) {
    const ex = Array.from(nodeEdges(g.x), (v) => Math.round(map.x(v)));
    const ey = Array.from(nodeEdges(g.y), (v) => Math.round(map.y(v)));
    const nx = g.x.length;
    const box = (band: number, a: number, b: number, y0: number, y1: number): void => {
      const x0 = Math.max(0, Math.min(ex[a] as number, ex[b] as number));
      const x1 = Math.min(w, Math.max(ex[a] as number, ex[b] as number));
      if (x1 > x0) fill(band, x0, x1, y0, y1);
    };
    for (let j = 0; j < g.y.length; j++) {
      const y0 = Math.max(0, Math.min(ey[j] as number, ey[j + 1] as number));
      const y1 = Math.min(h, Math.max(ey[j] as number, ey[j + 1] as number));
      if (!(y1 > y0)) continue;
      let start = 0;
      let band = -1; // -1: no z
      for (let i = 0; i <= nx; i++) {
        const z = i < nx ? (g.z[j * nx + i] as number) : NaN;
        const b = Number.isFinite(z) ? bandOf(z, levels) : -1;
        if (i < nx && b === band) continue;
        if (band >= 0) box(band, start, i, y0, y1);
        start = i;
        band = b;
      }
    }
  }
}

function lineColor(ds: DatasetState, set: ContourSet): (line: Line) => RGBA {
  return set.filled ? () => INK : (line) => ds.color.color(line.colorValue as number);
}

export const contour: Painter = {
  id: 'contour',
  refinesOnZoom: false,
  reloadsOnAppend: true,
  colorColumn: (req) => req.z ?? null,
  shownPoints(ds) {
    const set = contourOf(ds);
    return set ? { x: set.x, y: set.y } : null;
  },
  holder: (req, _color, _size, _view, _smooth, contour) =>
    new ContourSet({ x: req.x ?? '', y: req.y ?? '', z: req.z ?? '' }, contour?.levels ?? DEFAULT_LEVELS, contour?.filled ?? false),
  gpuLayer() {
    const gpu = new GpuLines();
    return {
      sync(res, ds, view) {
        const set = contourOf(ds);
        if (set) gpu.sync(res, linesOf(ds, set).lines, view);
      },
      draw(res, ds, view) {
        const set = contourOf(ds);
        if (!set) return;
        const made = linesOf(ds, set);
        if (set.filled) {
          const gl = res.gl;
          const vp = gl.getParameter(gl.VIEWPORT) as Int32Array;
          const w = vp[2] as number;
          const h = vp[3] as number;
          const kx = w / (view.x1 - view.x0);
          const ky = h / (view.y1 - view.y0);
          const map = { view, kx, ky, x: (v: number) => ((view.logX ? Math.log10(v) : v) - view.x0) * kx, y: (v: number) => ((view.logY ? Math.log10(v) : v) - view.y0) * ky } as PixelMap;
          gl.enable(gl.SCISSOR_TEST);
          eachCell(set, made.levels, map, w, h, (band, x0, x1, y0, y1) => {
            const c = bandColor(ds, made.levels, band);
            gl.scissor(x0, y0, x1 - x0, y1 - y0);
            gl.clearColor(c[0] / 255, c[1] / 255, c[2] / 255, 1);
            gl.clear(gl.COLOR_BUFFER_BIT);
          });
          gl.disable(gl.SCISSOR_TEST);
          gl.clearColor(0, 0, 0, 0);
        }
        gpu.draw(res, made.lines, view, lineColor(ds, set));
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds, view) {
    const set = contourOf(ds);
    if (!set) return;
    const made = linesOf(ds, set);
    if (set.filled) {
      eachCell(set, made.levels, map, img.w, img.h, (band, x0, x1, y0, y1) => {
        const c = pack(bandColor(ds, made.levels, band));
        for (let y = y0; y < y1; y++) img.pixels.fill(c, y * img.w + x0, y * img.w + x1);
      });
    }
    drawLinesCpu(img, map, made.lines, view, lineColor(ds, set));
  },
  nearest(ds, view, w, h, px, py, best) {
    const set = contourOf(ds);
    return set ? nearestNode(set, view, w, h, px, py, best) : best;
  },
};

/** The grid node nearest the cursor: its x, y and z. */
function nearestNode(set: ContourSet, view: View, w: number, h: number, px: number, py: number, best: Nearest | null): Nearest | null {
  const kx = w / (view.x1 - view.x0);
  const ky = h / (view.y1 - view.y0);
  const sx = (v: number): number => ((view.logX ? Math.log10(v) : v) - view.x0) * kx;
  const sy = (v: number): number => h - ((view.logY ? Math.log10(v) : v) - view.y0) * ky;
  let bi = -1;
  let bd = best?.dist2 ?? Infinity;
  for (let i = 0; i < set.x.length; i++) {
    if (!Number.isFinite(set.z[i] as number)) continue;
    const d = (sx(set.x[i] as number) - px) ** 2 + (sy(set.y[i] as number) - py) ** 2;
    if (d < bd) {
      bd = d;
      bi = i;
    }
  }
  if (bi < 0) return best;
  return {
    px: sx(set.x[bi] as number), py: sy(set.y[bi] as number), x: set.x[bi] as number, y: set.y[bi] as number,
    run: set.runOf[bi] ?? '', labels: [[set.bindings.z, formatValue(set.z[bi] as number)]], line: null, index: bi, dist2: bd,
  };
}
