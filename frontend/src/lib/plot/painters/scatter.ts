/** Points: one per row, colored and sized by fields; thinned by density on the server past max_points. */
import { PointSet } from '../../data/pointSet';
import { drawPointsCpu } from '../../render/cpuLayers';
import { GpuPoints } from '../../render/layers';
import { nearestPoint } from '../hover';
import type { Painter } from './painter';

export const scatter: Painter = {
  id: 'scatter',
  refinesOnZoom: false,
  holder: (req, color, size) => new PointSet({ x: req.x ?? '', y: req.y ?? '', color, size }),
  gpuLayer() {
    const gpu = new GpuPoints();
    return {
      sync(res, ds, view) {
        if (ds.points) gpu.sync(res, ds.points, view);
      },
      draw(res, ds, view, styles, dpr) {
        if (ds.points) gpu.draw(res, view, styles.pointStyle(ds), dpr);
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds, view, styles, dpr) {
    if (ds.points) drawPointsCpu(img, map, ds.points, styles.pointStyle(ds), dpr);
  },
  nearest: (ds, view, w, h, px, py, best) => (ds.points ? nearestPoint(ds.points, view, w, h, px, py, best) : best),
};
