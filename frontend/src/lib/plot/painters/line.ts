/**
 * Lines: one per run and group value, 1-pixel strips; reduced by M4 on the server, refined on
 * zoom. With the plot's `smooth` setting, each line is drawn faint and its smoothed copy
 * (lib/data/smooth.ts) over it in the same color; the hover reads both.
 */
import type { Smoothing } from '../../api/types';
import { LineSet } from '../../data/lineSet';
import { isSmoothing, SmoothedLines } from '../../data/smooth';
import { drawLinesCpu } from '../../render/cpuLayers';
import { GpuLines } from '../../render/layers';
import type { DatasetState } from '../dataset';
import { nearestOnLines } from '../hover';
import type { Painter } from './painter';

/** How faint a raw line is under its smoothed one (TensorBoard draws it about as faint). */
export const RAW_ALPHA = 0.3;

/** Each smoothed dataset's smoothed copy, by its raw lines. */
const smoothed = new WeakMap<LineSet, SmoothedLines>();

/** The smoothed copy of a dataset's lines, brought up to date, or null when it is not smoothed. */
export function smoothedLines(ds: DatasetState): SmoothedLines | null {
  const s = ds.lines ? smoothed.get(ds.lines) : undefined;
  if (!s) return null;
  s.update();
  return s;
}

export const line: Painter = {
  id: 'line',
  refinesOnZoom: true,
  holder(req, color, _size, _view, smooth?: Smoothing) {
    const set = new LineSet({ x: req.x ?? '', y: req.y ?? '', group: req.group.slice(1), color });
    if (isSmoothing(smooth)) smoothed.set(set, new SmoothedLines(set, smooth));
    return set;
  },
  gpuLayer() {
    const raw = new GpuLines();
    const smooth = new GpuLines();
    return {
      sync(res, ds, view) {
        if (ds.lines) raw.sync(res, ds.lines, view);
        const s = smoothedLines(ds);
        if (s) smooth.sync(res, s.set, view);
      },
      draw(res, ds, view, styles) {
        if (!ds.lines) return;
        const s = smoothedLines(ds);
        raw.draw(res, ds.lines, view, (l) => styles.lineColor(ds, l), s ? RAW_ALPHA : 1);
        if (s) smooth.draw(res, s.set, view, (l) => styles.lineColor(ds, l));
      },
      dispose: (gl) => {
        raw.dispose(gl);
        smooth.dispose(gl);
      },
    };
  },
  drawCpu(img, map, ds, view, styles) {
    if (!ds.lines) return;
    const s = smoothedLines(ds);
    drawLinesCpu(img, map, ds.lines, view, (l) => styles.lineColor(ds, l), s ? RAW_ALPHA : 1);
    if (s) drawLinesCpu(img, map, s.set, view, (l) => styles.lineColor(ds, l));
  },
  nearest(ds, view, w, h, px, py, best) {
    if (!ds.lines) return best;
    const found = nearestOnLines(ds.lines, view, w, h, px, py, best);
    const s = found !== best && found?.line ? smoothedLines(ds) : null;
    const v = s && found?.line ? s.valueAt(found.line, found.index) : null;
    return v === null || !found ? found : { ...found, smoothed: v };
  },
};
