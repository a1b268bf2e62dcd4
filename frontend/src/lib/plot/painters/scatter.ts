/**
 * Points: one per row, colored and sized by fields; thinned by density on the server past
 * max_points. Drawn as lib/data/pointView.ts shows them: without the color categories
 * toggled off in the legend, a continuous color that spans decades on a log scale.
 */
import { shownPoints } from '../../data/pointView';
import { drawPointsCpu } from '../../render/cpuLayers';
import { GpuPoints } from '../../render/layers';
import { PointSet } from '../../data/pointSet';
import { nearestPoint } from '../hover';
import type { Painter } from './painter';

export const scatter: Painter = {
  id: 'scatter',
  refinesOnZoom: false,
  holder: (req, color, size) => new PointSet({ x: req.x ?? '', y: req.y ?? '', color, size }),
  gpuLayer() {
    const gpu = new GpuPoints();
    return {
      // The points shown depend on the legend (styles), which draw has: synced there.
      sync() {},
      draw(res, ds, view, styles, dpr) {
        if (!ds.points) return;
        const f = styles.pointFilter(ds);
        gpu.sync(res, shownPoints(ds.points, f), view);
        gpu.draw(res, view, styles.pointStyle(ds, f.logColor), dpr);
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds, view, styles, dpr) {
    if (!ds.points) return;
    const f = styles.pointFilter(ds);
    drawPointsCpu(img, map, shownPoints(ds.points, f), styles.pointStyle(ds, f.logColor), dpr);
  },
  nearest: (ds, view, w, h, px, py, best) => (ds.points ? nearestPoint(ds.points, view, w, h, px, py, best) : best),
};
