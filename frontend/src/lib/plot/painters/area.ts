/**
 * Stacked areas: the rows of a line (M4-reduced when long, refined on zoom, appended live),
 * each line filled from the top of the ones before it to its own top (lib/data/stack.ts),
 * the fill faint and the top drawn as a line. The hover finds the tops and reads out each
 * line's own value, not the stacked sum.
 */
import { LineSet } from '../../data/lineSet';
import { StackedLines } from '../../data/stack';
import { fillBetween, pack } from '../../render/cpuRaster';
import { drawLinesCpu } from '../../render/cpuLayers';
import { GpuLines } from '../../render/layers';
import type { DatasetState } from '../dataset';
import { nearestOnLines } from '../hover';
import type { Painter } from './painter';

/** How opaque an area's fill is under its top line. */
export const FILL_ALPHA = 0.45;

const stacks = new WeakMap<LineSet, StackedLines>();

function stacked(ds: DatasetState): StackedLines | null {
  const s = ds.lines ? stacks.get(ds.lines) : undefined;
  return s ? s.update() : null;
}

export const area: Painter = {
  id: 'area',
  refinesOnZoom: true,
  fromZero: true,
  shownLines: (ds) => stacked(ds)?.tops ?? null,
  holder(req, color) {
    const set = new LineSet({ x: req.x ?? '', y: req.y ?? '', group: req.group.slice(1), color });
    stacks.set(set, new StackedLines(set));
    return set;
  },
  gpuLayer() {
    const fills = new GpuLines();
    const tops = new GpuLines();
    return {
      sync(res, ds, view) {
        const s = stacked(ds);
        if (!s) return;
        fills.sync(res, s.fills, view);
        tops.sync(res, s.tops, view);
      },
      draw(res, ds, view, styles) {
        const s = stacked(ds);
        if (!s) return;
        fills.draw(res, s.fills, view, (l) => styles.lineColor(ds, l), FILL_ALPHA, true);
        tops.draw(res, s.tops, view, (l) => styles.lineColor(ds, l));
      },
      dispose: (gl) => {
        fills.dispose(gl);
        tops.dispose(gl);
      },
    };
  },
  drawCpu(img, map, ds, view, styles) {
    const s = stacked(ds);
    if (!s) return;
    for (const l of s.fills.lines.values()) fillBetween(img, map, l.x.values(), l.y.values(), pack(styles.lineColor(ds, l), FILL_ALPHA));
    drawLinesCpu(img, map, s.tops, view, (l) => styles.lineColor(ds, l));
  },
  nearest(ds, view, w, h, px, py, best) {
    const s = stacked(ds);
    if (!s || !ds.lines) return best;
    const found = nearestOnLines(s.tops, view, w, h, px, py, best);
    const raw = found !== best && found?.line ? ds.lines.lines.get(found.line.key) : undefined;
    return raw && found ? { ...found, y: raw.y.get(found.index), line: raw } : found;
  },
};
