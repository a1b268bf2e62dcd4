/**
 * Quivers: an arrow (u, v) from each (x, y), thinned on the server to one per screen cell
 * (web/reduce_quiver.py). Arrows are laid out in pixels: the longest is ARROW_PX long, a
 * little less than the server's cell, so neighbours never overlap, and each points the way
 * (u, v) points on screen (u to the right, v up). Colored by the color field (a number on
 * its scale, a category by value), else by run. The shaft and head are one line strip per arrow (tail, tip, one barb, tip,
 * the other barb), drawn by the GL line layer or the CPU rasterizer like any lines.
 */
import { Column } from '../../data/column';
import { LineSet, type Line } from '../../data/lineSet';
import { arrowPixels, longest, QuiverSet } from '../../data/quiverSet';
import { drawLinesCpu } from '../../render/cpuLayers';
import { GpuLines, type View } from '../../render/layers';
import type { DatasetState } from '../dataset';
import { formatValue } from '../format';
import type { Nearest } from '../hover';
import type { RGBA } from '../palette';
import type { Painter } from './painter';

/** The longest arrow, in device pixels: 0.9 of the server's cell (ARROW_CELL_PX = 24). */
export const ARROW_PX = 21;

function quiverOf(ds: DatasetState): QuiverSet | null {
  return ds.data instanceof QuiverSet ? ds.data : null;
}

const made = new WeakMap<QuiverSet, { key: string; lines: LineSet }>();

/** The arrows as lines in scale space for a w x h image of `view`, made once per change. */
function arrowLines(set: QuiverSet, view: View, w: number, h: number): LineSet {
  const key = `${set.rev}/${view.x0}/${view.x1}/${view.y0}/${view.y1}/${view.logX}/${view.logY}/${w}/${h}`;
  const hit = made.get(set);
  if (hit && hit.key === key) return hit.lines;
  const kx = w / (view.x1 - view.x0);
  const ky = h / (view.y1 - view.y0);
  const toX = (v: number): number => ((view.logX ? Math.log10(v) : v) - view.x0) * kx;
  const toY = (v: number): number => ((view.logY ? Math.log10(v) : v) - view.y0) * ky;
  const back = (p: number, k: number, o: number, log: boolean): number => (log ? 10 ** (o + p / k) : o + p / k);
  const max = longest(set);
  const lines = new LineSet({ x: set.bindings.x, y: set.bindings.y, group: [], color: set.bindings.color });
  for (let i = 0; i < set.length; i++) {
    const px = toX(set.x[i] as number);
    const py = toY(set.y[i] as number);
    const a = arrowPixels(px, py, set.u[i] as number, set.v[i] as number, max, ARROW_PX);
    if (!a || !Number.isFinite(px) || !Number.isFinite(py)) continue;
    const [tx, ty, h1x, h1y, h2x, h2y] = a as [number, number, number, number, number, number];
    const xs = [px, tx, h1x, tx, h2x].map((p) => back(p, kx, view.x0, view.logX));
    const ys = [py, ty, h1y, ty, h2y].map((p) => back(p, ky, view.y0, view.logY));
    const line: Line = {
      key: String(i), run: set.runOf[i] ?? '', labels: [], colorValue: i,
      x: Column.from(xs), y: Column.from(ys), sorted: false, rev: set.rev, reducedLength: 5,
    };
    lines.lines.set(line.key, line);
  }
  lines.version++;
  made.set(set, { key, lines });
  return lines;
}

/** An arrow's color: the color field's value on its scale, else its run's color. */
function colorOf(ds: DatasetState, set: QuiverSet): (line: Line) => RGBA {
  return (line) => {
    const i = line.colorValue as number;
    const c = set.color[i] as number;
    return ds.color.color(Number.isFinite(c) ? c : (set.label[i] ?? set.runOf[i] ?? ''));
  };
}

export const quiver: Painter = {
  id: 'quiver',
  // Zoomed in, the cells are smaller in data units: the server thins the view's rows again.
  refinesOnZoom: true,
  refetchesView: true,
  shownPoints(ds) {
    const set = quiverOf(ds);
    return set ? { x: set.x, y: set.y } : null;
  },
  holder: (req, color) => new QuiverSet({ x: req.x ?? '', y: req.y ?? '', u: req.u ?? '', v: req.v ?? '', color: color === 'run' ? null : color }),
  gpuLayer() {
    const gpu = new GpuLines();
    return {
      sync() {},
      draw(res, ds, view) {
        const set = quiverOf(ds);
        if (!set) return;
        const vp = res.gl.getParameter(res.gl.VIEWPORT) as Int32Array;
        const lines = arrowLines(set, view, vp[2] as number, vp[3] as number);
        gpu.sync(res, lines, view);
        gpu.draw(res, lines, view, colorOf(ds, set));
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, _map, ds, view) {
    const set = quiverOf(ds);
    if (set) drawLinesCpu(img, _map, arrowLines(set, view, img.w, img.h), view, colorOf(ds, set));
  },
  nearest(ds, view, w, h, px, py, best): Nearest | null {
    const set = quiverOf(ds);
    if (!set) return best;
    const sx = (v: number): number => ((view.logX ? Math.log10(v) : v) - view.x0) * (w / (view.x1 - view.x0));
    const sy = (v: number): number => h - ((view.logY ? Math.log10(v) : v) - view.y0) * (h / (view.y1 - view.y0));
    let bi = -1;
    let bd = best?.dist2 ?? Infinity;
    for (let i = 0; i < set.length; i++) {
      const d = (sx(set.x[i] as number) - px) ** 2 + (sy(set.y[i] as number) - py) ** 2;
      if (d < bd) {
        bd = d;
        bi = i;
      }
    }
    if (bi < 0) return best;
    const b = set.bindings;
    const labels: [string, string][] = [[b.u, formatValue(set.u[bi] as number)], [b.v, formatValue(set.v[bi] as number)]];
    if (b.color && Number.isFinite(set.color[bi] as number)) labels.push([b.color, formatValue(set.color[bi] as number)]);
    else if (b.color && set.label[bi] != null) labels.push([b.color, set.label[bi] as string]);
    return { px: sx(set.x[bi] as number), py: sy(set.y[bi] as number), x: set.x[bi] as number, y: set.y[bi] as number, run: set.runOf[bi] ?? '', labels, line: null, index: bi, dist2: bd };
  },
};
