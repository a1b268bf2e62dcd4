/** 3-D points: one per row in the x, y, z box, colored and sized by fields; an orbit camera (camera3d.ts). */
import { PointSet3 } from '../../data/pointSet3';
import { drawPointsCpu } from '../../render/cpuLayers';
import { farToNear, GpuPoints3, projectPoints, type Projected } from '../../render/layers3d';
import { Scene3 } from '../camera3d';
import type { DatasetState } from '../dataset';
import { formatValue } from '../format';
import type { Nearest } from '../hover';
import type { Painter } from './painter';

/** The points' scene: the plot's, handed over by the controller (a fresh one until then). */
const scenes = new WeakMap<PointSet3, Scene3>();

function sceneOf(set: PointSet3): Scene3 {
  let s = scenes.get(set);
  if (!s) scenes.set(set, (s = new Scene3()));
  return s;
}

function points3(ds: DatasetState): PointSet3 | null {
  return ds.points instanceof PointSet3 ? ds.points : null;
}

/** The last projection, kept for hover while neither the points nor the camera moved. */
const projections = new WeakMap<PointSet3, { key: string; p: Projected }>();

function projected(set: PointSet3): Projected {
  const scene = sceneOf(set);
  const key = `${set.rev}/${set.version}/${scene.rev}`;
  const hit = projections.get(set);
  if (hit && hit.key === key) return hit.p;
  const p = projectPoints(scene, set);
  projections.set(set, { key, p });
  return p;
}

export const scatter3d: Painter = {
  id: 'scatter3d',
  refinesOnZoom: false,
  space3: {
    extend(ds, b) {
      const set = points3(ds);
      if (!set) return;
      b.extend(0, set.x.values());
      b.extend(1, set.y.values());
      b.extend(2, set.z.values());
    },
    attach(ds, scene) {
      const set = points3(ds);
      if (set) scenes.set(set, scene);
    },
  },
  holder: (req, color, size) => new PointSet3({ x: req.x ?? '', y: req.y ?? '', color, size }, req.z ?? ''),
  gpuLayer() {
    const gpu = new GpuPoints3();
    return {
      sync(res, ds) {
        const set = points3(ds);
        if (set) gpu.sync(res, set, sceneOf(set));
      },
      draw(res, ds, view, styles, dpr) {
        const set = points3(ds);
        if (set) gpu.draw(res, sceneOf(set), view, styles.pointStyle(ds), dpr);
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds, _view, styles, dpr) {
    const set = points3(ds);
    if (!set) return;
    const p = projected(set);
    // Opaque pixels, last written on top: far to near, as the depth test orders them on a GPU.
    drawPointsCpu(img, map, set, styles.pointStyle(ds), dpr, { x: p.x, y: p.y, order: farToNear(p.w) });
  },
  nearest(ds, view, w, h, px, py, best): Nearest | null {
    const set = points3(ds);
    if (!set) return best;
    const p = projected(set);
    const kx = w / (view.x1 - view.x0);
    const ky = h / (view.y1 - view.y0);
    let bi = -1;
    let bd = best?.dist2 ?? Infinity;
    for (let i = 0; i < p.x.length; i++) {
      const d = (((p.x[i] as number) - view.x0) * kx - px) ** 2 + (h - ((p.y[i] as number) - view.y0) * ky - py) ** 2;
      // Of points under the cursor together, the nearer one (drawn on top on a GPU).
      if (d < bd || (d === bd && bi >= 0 && (p.w[i] as number) < (p.w[bi] as number))) {
        bd = d;
        bi = i;
      }
    }
    if (bi < 0) return best;
    const run = set.runNames[set.run.get(bi)] ?? '';
    const z = set.z.get(bi);
    return {
      px: ((p.x[bi] as number) - view.x0) * kx,
      py: h - ((p.y[bi] as number) - view.y0) * ky,
      x: set.x.get(bi),
      y: set.y.get(bi),
      run,
      labels: [[set.zName, formatValue(z)]],
      line: null,
      index: bi,
      dist2: bd,
    };
  },
};
