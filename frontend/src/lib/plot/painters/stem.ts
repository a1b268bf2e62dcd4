/**
 * Stems: per point a vertical line from 0 to y, joined along 0 (the baseline), one series per
 * run and group value. The rows are a line's (M4-reduced when long, so a dense stretch fills
 * each pixel column from 0 to its extremes, as every stem there would); the stems are lines
 * made from them (DerivedLines) drawn by the line layer, and the hover finds the tips.
 */
import { DerivedLines } from '../../data/derivedLines';
import { LineSet } from '../../data/lineSet';
import { drawLinesCpu } from '../../render/cpuLayers';
import { GpuLines } from '../../render/layers';
import type { DatasetState } from '../dataset';
import { nearestOnLines } from '../hover';
import type { Painter } from './painter';

/** Per point (x, 0), (x, y), (x, 0): one strip that draws every stem and the baseline between. */
export function stemPath(x: Float64Array, y: Float64Array): { x: Float64Array; y: Float64Array } {
  const sx = new Float64Array(x.length * 3);
  const sy = new Float64Array(x.length * 3);
  for (let i = 0; i < x.length; i++) {
    sx[3 * i] = sx[3 * i + 1] = sx[3 * i + 2] = x[i] as number;
    sy[3 * i + 1] = y[i] as number;
  }
  return { x: sx, y: sy };
}

const stems = new WeakMap<LineSet, DerivedLines>();

function stemLines(ds: DatasetState): LineSet | null {
  const s = ds.lines ? stems.get(ds.lines) : undefined;
  return s ? s.update() : null;
}

export const stem: Painter = {
  id: 'stem',
  refinesOnZoom: true,
  fromZero: true,
  holder(req, color) {
    const set = new LineSet({ x: req.x ?? '', y: req.y ?? '', group: req.group.slice(1), color });
    stems.set(set, new DerivedLines(set, stemPath));
    return set;
  },
  gpuLayer() {
    const gpu = new GpuLines();
    return {
      sync(res, ds, view) {
        const s = stemLines(ds);
        if (s) gpu.sync(res, s, view);
      },
      draw(res, ds, view, styles) {
        const s = stemLines(ds);
        if (s) gpu.draw(res, s, view, (l) => styles.lineColor(ds, l));
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds, view, styles) {
    const s = stemLines(ds);
    if (s) drawLinesCpu(img, map, s, view, (l) => styles.lineColor(ds, l));
  },
  nearest: (ds, view, w, h, px, py, best) => (ds.lines ? nearestOnLines(ds.lines, view, w, h, px, py, best) : best),
};
