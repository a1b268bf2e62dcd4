/**
 * A surface: z over an (x, y) grid (gridded on the server), drawn as triangles colored by z
 * on the plot's palette (a color bar in the legend) and shaded by their slope under a fixed
 * light, so the shape reads at any angle; the orbit camera of camera3d.ts.
 */
import { SurfaceSet } from '../../data/surfaceSet';
import { pack } from '../../render/cpuRaster';
import { boxCoordinates, drawTrianglesCpu, GpuTriangles, projectBox, type Triangles } from '../../render/layers3d';
import { Scene3 } from '../camera3d';
import type { DatasetState } from '../dataset';
import { formatValue } from '../format';
import type { Nearest } from '../hover';
import type { RGBA } from '../palette';
import type { Painter } from './painter';

const scenes = new WeakMap<SurfaceSet, Scene3>();

function sceneOf(set: SurfaceSet): Scene3 {
  let s = scenes.get(set);
  if (!s) scenes.set(set, (s = new Scene3()));
  return s;
}

function surfaceOf(ds: DatasetState): SurfaceSet | null {
  return ds.data instanceof SurfaceSet ? ds.data : null;
}

/** The light, in box coordinates: from above, toward the viewer's default side. */
const LIGHT = (() => {
  const l = [0.4, -0.5, 1];
  const n = Math.hypot(...l);
  return l.map((v) => v / n) as [number, number, number];
})();
/** How much of a triangle's color its slope may take away (0: flat color). */
const SHADE = 0.35;

/** A triangle's color: z's color, darkened by how far its normal turns from the light. */
export function shade(c: RGBA, box: Float32Array, a: number, b: number, d: number): RGBA {
  const ux = (box[b * 3] as number) - (box[a * 3] as number);
  const uy = (box[b * 3 + 1] as number) - (box[a * 3 + 1] as number);
  const uz = (box[b * 3 + 2] as number) - (box[a * 3 + 2] as number);
  const vx = (box[d * 3] as number) - (box[a * 3] as number);
  const vy = (box[d * 3 + 1] as number) - (box[a * 3 + 1] as number);
  const vz = (box[d * 3 + 2] as number) - (box[a * 3 + 2] as number);
  const nx = uy * vz - uz * vy;
  const ny = uz * vx - ux * vz;
  const nz = ux * vy - uy * vx;
  const len = Math.hypot(nx, ny, nz) || 1;
  const lit = Math.abs((nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2]) / len);
  const f = 1 - SHADE + SHADE * lit;
  return [Math.round(c[0] * f), Math.round(c[1] * f), Math.round(c[2] * f), 255];
}

const meshes = new WeakMap<SurfaceSet, Triangles>();

/** The surface's triangles in the box, colored for the dataset's current color domain. */
function triangles(ds: DatasetState, set: SurfaceSet): Triangles {
  const scene = sceneOf(set);
  const [lo, hi] = ds.color.domain();
  const key = `${set.rev}/${scene.bounds.key()}/${lo}/${hi}`;
  const hit = meshes.get(set);
  if (hit && hit.key === key) return hit;
  const box = boxCoordinates(scene, set.x, set.y, set.z);
  const color: RGBA[] = [];
  for (let t = 0; t < set.index.length; t += 3) {
    const a = set.index[t] as number;
    const b = set.index[t + 1] as number;
    const c = set.index[t + 2] as number;
    const z = ((set.z[a] as number) + (set.z[b] as number) + (set.z[c] as number)) / 3;
    color.push(shade(ds.color.color(z), box, a, b, c));
  }
  const tri = { box, index: set.index, color, key };
  meshes.set(set, tri);
  return tri;
}

export const surface: Painter = {
  id: 'surface',
  refinesOnZoom: false,
  reloadsOnAppend: true,
  colorColumn: (req) => req.z ?? null,
  space3: {
    extend(ds, b) {
      const set = surfaceOf(ds);
      if (!set) return;
      b.extend(0, set.x);
      b.extend(1, set.y);
      b.extend(2, set.z.filter(Number.isFinite));
    },
    attach(ds, scene) {
      const set = surfaceOf(ds);
      if (set) scenes.set(set, scene);
    },
  },
  holder: (req) => new SurfaceSet({ x: req.x ?? '', y: req.y ?? '', z: req.z ?? '' }),
  gpuLayer() {
    const gpu = new GpuTriangles();
    return {
      sync() {},
      draw(res, ds, view) {
        const set = surfaceOf(ds);
        if (set) gpu.draw(res, triangles(ds, set), sceneOf(set), view);
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds) {
    const set = surfaceOf(ds);
    if (set) drawTrianglesCpu(img, map, triangles(ds, set), sceneOf(set), (c) => pack(c));
  },
  nearest(ds, view, w, h, px, py, best): Nearest | null {
    const set = surfaceOf(ds);
    if (!set) return best;
    const scene = sceneOf(set);
    const p = projectBox(scene, triangles(ds, set).box);
    const kx = w / (view.x1 - view.x0);
    const ky = h / (view.y1 - view.y0);
    let bi = -1;
    let bd = best?.dist2 ?? Infinity;
    for (let i = 0; i < p.x.length; i++) {
      const d = (((p.x[i] as number) - view.x0) * kx - px) ** 2 + (h - ((p.y[i] as number) - view.y0) * ky - py) ** 2;
      if (d < bd) {
        bd = d;
        bi = i;
      }
    }
    if (bi < 0) return best;
    return {
      px: ((p.x[bi] as number) - view.x0) * kx,
      py: h - ((p.y[bi] as number) - view.y0) * ky,
      x: set.x[bi] as number,
      y: set.y[bi] as number,
      run: set.runNames[set.run[bi] as number] ?? '',
      labels: [[set.bindings.z, formatValue(set.z[bi] as number)]],
      line: null,
      index: bi,
      dist2: bd,
    };
  },
};
