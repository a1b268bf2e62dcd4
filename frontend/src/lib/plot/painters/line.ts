/** Lines: one per run and group value, 1-pixel strips; reduced by M4 on the server, refined on zoom. */
import { LineSet } from '../../data/lineSet';
import { drawLinesCpu } from '../../render/cpuLayers';
import { GpuLines } from '../../render/layers';
import { nearestOnLines } from '../hover';
import type { Painter } from './painter';

export const line: Painter = {
  id: 'line',
  refinesOnZoom: true,
  holder: (req, color) => new LineSet({ x: req.x ?? '', y: req.y ?? '', group: req.group.slice(1), color }),
  gpuLayer() {
    const gpu = new GpuLines();
    return {
      sync(res, ds, view) {
        if (ds.lines) gpu.sync(res, ds.lines, view);
      },
      draw(res, ds, view, styles) {
        if (ds.lines) gpu.draw(res, ds.lines, view, (l) => styles.lineColor(ds, l));
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds, view, styles) {
    if (ds.lines) drawLinesCpu(img, map, ds.lines, view, (l) => styles.lineColor(ds, l));
  },
  nearest: (ds, view, w, h, px, py, best) => (ds.lines ? nearestOnLines(ds.lines, view, w, h, px, py, best) : best),
};
