/**
 * A mesh: a vertices dataset and a faces dataset of one plot, joined into triangles (see
 * meshSet.ts), drawn in the palette's first color shaded by each face's slope, with the
 * orbit camera of camera3d.ts. The faces dataset draws the mesh; the vertices dataset
 * gives the box and the hover.
 */
import { joinMesh, MeshPart, type MeshTriangles } from '../../data/meshSet';
import { pack } from '../../render/cpuRaster';
import { boxCoordinates, drawTrianglesCpu, GpuTriangles, projectBox, type Triangles } from '../../render/layers3d';
import { Scene3 } from '../camera3d';
import type { DatasetState } from '../dataset';
import { formatValue } from '../format';
import type { Nearest } from '../hover';
import { categoricalColor, type RGBA } from '../palette';
import type { Painter } from './painter';
import { shade } from './surface';

/** Each mesh part's scene, and the parts of each scene (so the faces find their vertices). */
const sceneOfPart = new WeakMap<MeshPart, Scene3>();
const partsOf = new WeakMap<Scene3, Set<MeshPart>>();

function partOf(ds: DatasetState): MeshPart | null {
  return ds.data instanceof MeshPart ? ds.data : null;
}

function sceneOf(part: MeshPart): Scene3 {
  let s = sceneOfPart.get(part);
  if (!s) {
    s = new Scene3();
    sceneOfPart.set(part, s);
    partsOf.set(s, new Set([part]));
  }
  return s;
}

function verticesOf(scene: Scene3): MeshPart | null {
  for (const p of partsOf.get(scene) ?? []) if (p.role === 'vertices') return p;
  return null;
}

const meshes = new WeakMap<MeshPart, { key: string; mesh: MeshTriangles; tri: Triangles }>();

/** The faces' triangles in the box, shaded; null until both datasets have loaded. */
function triangles(faces: MeshPart, palette: string | undefined): Triangles | null {
  const scene = sceneOf(faces);
  const vertices = verticesOf(scene);
  if (!vertices) return null;
  const key = `${faces.rev}/${vertices.rev}/${scene.bounds.key()}/${palette}`;
  const hit = meshes.get(faces);
  if (hit && hit.key === key) return hit.tri;
  const mesh = joinMesh(vertices, faces);
  const box = boxCoordinates(scene, mesh.x, mesh.y, mesh.z);
  const base: RGBA = categoricalColor(palette, 0, 1);
  const color: RGBA[] = [];
  for (let t = 0; t < mesh.index.length; t += 3) color.push(shade(base, box, mesh.index[t] as number, mesh.index[t + 1] as number, mesh.index[t + 2] as number));
  const tri = { box, index: mesh.index, color, key };
  meshes.set(faces, { key, mesh, tri });
  return tri;
}

export const mesh: Painter = {
  id: 'mesh',
  refinesOnZoom: false,
  space3: {
    extend(ds, b) {
      const part = partOf(ds);
      if (part?.role !== 'vertices') return;
      for (const [x, y, z] of part.byRun.values()) {
        b.extend(0, x.values());
        b.extend(1, y.values());
        b.extend(2, z.values());
      }
    },
    attach(ds, scene) {
      const part = partOf(ds);
      if (!part) return;
      sceneOfPart.set(part, scene);
      let parts = partsOf.get(scene);
      if (!parts) partsOf.set(scene, (parts = new Set()));
      parts.add(part);
    },
  },
  holder: (req) => {
    const fields = req.fields;
    return req.x ? new MeshPart('vertices', [req.x, req.y ?? '', req.z ?? '']) : new MeshPart('faces', [fields[0] ?? '', fields[1] ?? '', fields[2] ?? '']);
  },
  gpuLayer() {
    const gpu = new GpuTriangles();
    return {
      sync() {},
      draw(res, ds, view, styles) {
        const part = partOf(ds);
        const tri = part?.role === 'faces' ? triangles(part, styles.pointStyle(ds).palette) : null;
        if (part && tri) gpu.draw(res, tri, sceneOf(part), view);
      },
      dispose: (gl) => gpu.dispose(gl),
    };
  },
  drawCpu(img, map, ds, _view, styles) {
    const part = partOf(ds);
    const tri = part?.role === 'faces' ? triangles(part, styles.pointStyle(ds).palette) : null;
    if (part && tri) drawTrianglesCpu(img, map, tri, sceneOf(part), (c) => pack(c));
  },
  nearest(ds, view, w, h, px, py, best): Nearest | null {
    const part = partOf(ds);
    if (part?.role !== 'vertices') return best;
    const scene = sceneOf(part);
    const kx = w / (view.x1 - view.x0);
    const ky = h / (view.y1 - view.y0);
    for (const [run, [x, y, z]] of part.byRun) {
      const box = boxCoordinates(scene, x.values(), y.values(), z.values());
      const p = projectBox(scene, box);
      for (let i = 0; i < p.x.length; i++) {
        const qx = ((p.x[i] as number) - view.x0) * kx;
        const qy = h - ((p.y[i] as number) - view.y0) * ky;
        const d = (qx - px) ** 2 + (qy - py) ** 2;
        if (d < (best?.dist2 ?? Infinity)) {
          best = { px: qx, py: qy, x: x.get(i), y: y.get(i), run, labels: [[part.names[2], formatValue(z.get(i))], ['vertex', String(i)]], line: null, index: i, dist2: d };
        }
      }
    }
    return best;
  },
};
