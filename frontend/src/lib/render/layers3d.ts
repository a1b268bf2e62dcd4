/**
 * The 3-D kinds on the GPU and on the CPU rasterizer.
 *
 * Points and mesh vertices are uploaded once, scaled into the [-1, 1]³ box (float32 is
 * ample there), and projected in the vertex shader by the camera's matrix: an orbit frame
 * changes one uniform and re-sends nothing. `u_view` maps normalized device coordinates to
 * the frame cache's target, which covers the plot's 2-D view (fixed at [-1, 1]², plus the
 * cache's margins). A 3-D plot's frame cache has a depth buffer: points are opaque and
 * depth-tested, so near points cover far ones in one draw call with nothing sorted (an
 * orbit frame of a million points stays one uniform and one draw). Triangles are also
 * drawn back to front (sorted by their centroid's depth each frame: the painter's
 * algorithm, which the CPU path needs anyway and which keeps equal-depth seams stable).
 *
 * The CPU path (software GL, see cpuRaster.ts) projects in JavaScript with the same matrix
 * and fills the same pixels; it writes pixels opaque in the order given, so points are
 * ordered far to near first (`farToNear`, a bucket sort on depth: linear time).
 */
import type { PointSet3 } from '../data/pointSet3';
import type { Scene3 } from '../plot/camera3d';
import type { RGBA } from '../plot/palette';
import type { CpuImage, PixelMap } from './cpuRaster';
import type { PointStyle, View } from './layers';
import { POINT_VS, POINT_FS, link, type Program } from './shaders';
import type { GlResources } from './sharedGl';
import { VertexBuffer, type Attrib } from './vertexBuffer';

const PLACE3 = /* glsl */ `
in vec3 a_pos;     // box coordinates, [-1, 1] on each axis
uniform mat4 u_mvp;
uniform vec4 u_view; // the NDC rectangle the target covers: x0, x1, y0, y1
vec4 place3(vec3 p) {
  vec4 c = u_mvp * vec4(p, 1.0);
  c.x = (c.x - u_view.x * c.w) * (2.0 / (u_view.y - u_view.x)) - c.w;
  c.y = (c.y - u_view.z * c.w) * (2.0 / (u_view.w - u_view.z)) - c.w;
  return c;
}
`;

/** The 2-D point shader with its position taken from the box: colors and sizes stay one code. */
const POINT3_VS = POINT_VS.replace('out vec4 v_color;', `out vec4 v_color;\n${PLACE3}`).replace(
  'gl_Position = position();',
  'gl_Position = place3(a_pos);',
);

/**
 * Opaque, unlike the 2-D points' slight transparency: with the depth test a near point
 * covers a far one whatever order they come in, which blending could not keep (a far
 * point drawn after a near one would show through it, or be hidden where blended).
 */
const POINT3_FS = POINT_FS.replace('outColor = v_color * 0.85;', 'outColor = v_color;');

const TRI_VS = /* glsl */ `#version 300 es
precision highp float;
${PLACE3}
in vec4 a_rgba; // premultiplied, shaded on the CPU per triangle
out vec4 v_color;
void main() { gl_Position = place3(a_pos); v_color = a_rgba; }
`;

const TRI_FS = /* glsl */ `#version 300 es
precision mediump float;
in vec4 v_color;
out vec4 outColor;
void main() { outColor = v_color; }
`;

const POINT3_UNIFORMS = ['u_mvp', 'u_view', 'u_color', 'u_colorMode', 'u_colorRange', 'u_palette', 'u_paletteSize', 'u_size', 'u_sizePx'];

/** The two programs, linked once per GL context (a restored context has a new generation). */
const programs = new WeakMap<WebGL2RenderingContext, { generation: number; point: Program; tri: Program }>();

function programsOf(res: GlResources): { point: Program; tri: Program } {
  const hit = programs.get(res.gl);
  if (hit && hit.generation === res.generation) return hit;
  const made = {
    generation: res.generation,
    point: link(res.gl, POINT3_VS, POINT3_FS, ['a_pos', 'a_color', 'a_size'], POINT3_UNIFORMS),
    tri: link(res.gl, TRI_VS, TRI_FS, ['a_pos', 'a_rgba'], ['u_mvp', 'u_view']),
  };
  programs.set(res.gl, made);
  return made;
}

function placeUniforms(gl: WebGL2RenderingContext, p: Program, scene: Scene3, view: View): void {
  gl.uniformMatrix4fv(p.uniform['u_mvp'] ?? null, false, scene.matrix());
  gl.uniform4f(p.uniform['u_view'] ?? null, view.x0, view.x1, view.y0, view.y1);
}

/** Each point's box coordinates, float32 [x, y, z] triples (NaN, and ≤ 0 on a log axis, stays NaN: not drawn). */
export function boxCoordinates(scene: Scene3, x: Float64Array, y: Float64Array, z: Float64Array): Float32Array {
  const b = scene.bounds;
  const { scale, offset } = b.transform();
  const out = new Float32Array(x.length * 3);
  const cols = [x, y, z] as const;
  for (const a of [0, 1, 2] as const) {
    const v = cols[a];
    const log = b.log[a];
    for (let i = 0, o = a; i < v.length; i++, o += 3) out[o] = (log ? b.toScale(a, v[i] as number) : (v[i] as number)) * scale[a] + offset[a];
  }
  return out;
}

/** Projected points: normalized device x, y and the clip w (depth; ≤ 0 behind the eye). */
export interface Projected {
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
}

export function projectBox(scene: Scene3, box: Float32Array): Projected {
  const m = scene.matrix();
  const n = box.length / 3;
  const out = { x: new Float64Array(n), y: new Float64Array(n), w: new Float64Array(n) };
  // camera3d's project() written out: a million points per orbit frame on the CPU path.
  const [m0, m1, m3, m4, m5, m7, m8, m9, m11, m12, m13, m15] = [0, 1, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15].map((k) => m[k] as number) as number[];
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const x = box[o] as number;
    const y = box[o + 1] as number;
    const z = box[o + 2] as number;
    const cw = (m3 as number) * x + (m7 as number) * y + (m11 as number) * z + (m15 as number);
    out.w[i] = cw;
    if (cw > 0) {
      out.x[i] = ((m0 as number) * x + (m4 as number) * y + (m8 as number) * z + (m12 as number)) / cw;
      out.y[i] = ((m1 as number) * x + (m5 as number) * y + (m9 as number) * z + (m13 as number)) / cw;
    } else {
      out.x[i] = NaN;
      out.y[i] = NaN;
    }
  }
  return out;
}

const POINT3_ATTRIBS: readonly Attrib[] = [['a_pos', 3, 0], ['a_color', 1, 12], ['a_size', 1, 16]];
const TRI_ATTRIBS: readonly Attrib[] = [['a_pos', 3, 0], ['a_rgba', 4, 12]];

/** A PointSet3 on the GPU: box positions and [color, size] values, re-sent only when the points or the box change. */
export class GpuPoints3 {
  private buf = new VertexBuffer();
  private count = 0;
  private key = '';

  sync(res: GlResources, set: PointSet3, scene: Scene3): void {
    const key = `${set.rev}/${set.version}/${scene.bounds.key()}`;
    if (!this.buf.ensure(res, programsOf(res).point, 20, POINT3_ATTRIBS) && key === this.key) return;
    const box = boxCoordinates(scene, set.x.values(), set.y.values(), set.z.values());
    const n = set.length;
    const data = new Float32Array(n * 5);
    const c = set.color.values();
    const s = set.size.values();
    for (let i = 0; i < n; i++) {
      data.set(box.subarray(i * 3, i * 3 + 3), i * 5);
      data[i * 5 + 3] = c[i] as number;
      data[i * 5 + 4] = s[i] as number;
    }
    this.buf.upload(res.gl, data, res.gl.STATIC_DRAW);
    this.count = n;
    this.key = key;
  }

  draw(res: GlResources, scene: Scene3, view: View, style: PointStyle, dpr: number): void {
    if (this.count === 0) return;
    const gl = res.gl;
    const p = programsOf(res).point;
    gl.useProgram(p.program);
    placeUniforms(gl, p, scene, view);
    const u = p.uniform;
    gl.uniform1i(u['u_colorMode'] ?? null, style.colorMode);
    gl.uniform2f(u['u_colorRange'] ?? null, style.colorRange[0], style.colorRange[1]);
    const c = style.color;
    gl.uniform4f(u['u_color'] ?? null, c[0] / 255, c[1] / 255, c[2] / 255, 1);
    const pal = res.palette(style.palette, style.colorMode === 2 || style.colorMode === 3);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, pal.texture);
    gl.uniform1i(u['u_palette'] ?? null, 0);
    gl.uniform1i(u['u_paletteSize'] ?? null, pal.size);
    const sr = style.sizeRange;
    gl.uniform3f(u['u_size'] ?? null, sr ? sr[0] : 0, sr ? sr[1] : 0, sr ? 1 : 0);
    gl.uniform2f(u['u_sizePx'] ?? null, style.sizePx[0] * dpr, style.sizePx[1] * dpr);
    gl.bindVertexArray(this.buf.vao);
    gl.drawArrays(gl.POINTS, 0, this.count);
    gl.bindVertexArray(null);
  }

  dispose(gl: WebGL2RenderingContext): void {
    this.buf.dispose(gl);
    this.key = '';
  }
}

/** Triangles of box vertices, each with one color (already shaded). */
export interface Triangles {
  /** Box coordinates, [x, y, z] per vertex. */
  box: Float32Array;
  /** Vertex indices, three per triangle. */
  index: Uint32Array;
  /** Per triangle, its color. */
  color: RGBA[];
  /** Changes when any of the above does. */
  key: string;
}

/** Depth buckets of `farToNear`: points closer than 1/4096 of the depth range keep row order. */
const DEPTH_BUCKETS = 4096;

/**
 * The indices of the points in front of the eye (w > 0), ordered far to near by depth:
 * a counting sort over DEPTH_BUCKETS buckets, two passes whatever the count.
 */
export function farToNear(w: Float64Array): Uint32Array {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (const v of w) {
    if (!(v > 0)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Uint32Array(n);
  if (n === 0) return out;
  const k = hi > lo ? (DEPTH_BUCKETS - 1) / (hi - lo) : 0;
  const bucket = new Uint16Array(w.length);
  const starts = new Uint32Array(DEPTH_BUCKETS + 1);
  for (let i = 0; i < w.length; i++) {
    const v = w[i] as number;
    if (!(v > 0)) continue;
    const b = DEPTH_BUCKETS - 1 - Math.floor((v - lo) * k); // far (large w) first
    bucket[i] = b;
    starts[b + 1] = (starts[b + 1] as number) + 1;
  }
  for (let b = 0; b < DEPTH_BUCKETS; b++) starts[b + 1] = (starts[b + 1] as number) + (starts[b] as number);
  for (let i = 0; i < w.length; i++) {
    if (!((w[i] as number) > 0)) continue;
    const b = bucket[i] as number;
    const at = starts[b] as number;
    out[at] = i;
    starts[b] = at + 1;
  }
  return out;
}

/** Triangle indices ordered far to near for the scene's camera (centroid depth). */
export function backToFront(tri: Triangles, p: Projected): Uint32Array {
  const n = tri.index.length / 3;
  const depth = new Float64Array(n);
  const order = new Uint32Array(n);
  for (let t = 0; t < n; t++) {
    order[t] = t;
    depth[t] = (p.w[tri.index[t * 3] as number] as number) + (p.w[tri.index[t * 3 + 1] as number] as number) + (p.w[tri.index[t * 3 + 2] as number] as number);
  }
  order.sort((a, b) => (depth[b] as number) - (depth[a] as number));
  return order;
}

/** Triangles on the GPU: three unshared vertices each (a triangle has one color), sorted every draw. */
export class GpuTriangles {
  private buf = new VertexBuffer();
  private count = 0;

  draw(res: GlResources, tri: Triangles, scene: Scene3, view: View): void {
    const gl = res.gl;
    const p = programsOf(res).tri;
    this.buf.ensure(res, p, 28, TRI_ATTRIBS);
    // The order depends on the camera, so the sorted vertices are sent each draw.
    const order = backToFront(tri, projectBox(scene, tri.box));
    const data = new Float32Array(order.length * 21);
    let o = 0;
    for (const t of order) {
      const c = tri.color[t] as RGBA;
      const a = c[3] / 255;
      for (let k = 0; k < 3; k++) {
        const v = tri.index[t * 3 + k] as number;
        data[o++] = tri.box[v * 3] as number;
        data[o++] = tri.box[v * 3 + 1] as number;
        data[o++] = tri.box[v * 3 + 2] as number;
        data[o++] = (c[0] / 255) * a;
        data[o++] = (c[1] / 255) * a;
        data[o++] = (c[2] / 255) * a;
        data[o++] = a;
      }
    }
    this.count = order.length * 3;
    if (this.count === 0) return;
    this.buf.upload(gl, data, gl.STREAM_DRAW);
    gl.useProgram(p.program);
    placeUniforms(gl, p, scene, view);
    gl.bindVertexArray(this.buf.vao);
    gl.drawArrays(gl.TRIANGLES, 0, this.count);
    gl.bindVertexArray(null);
  }

  dispose(gl: WebGL2RenderingContext): void {
    this.buf.dispose(gl);
  }
}

/** Fills triangle (a, b, c) of pixel coordinates with `color` (packed), by scanline. */
export function fillTriangle(img: CpuImage, ax: number, ay: number, bx: number, by: number, cx: number, cy: number, color: number): void {
  if (!(Number.isFinite(ax) && Number.isFinite(ay) && Number.isFinite(bx) && Number.isFinite(by) && Number.isFinite(cx) && Number.isFinite(cy))) return;
  const { w, h, pixels } = img;
  const y0 = Math.max(0, Math.ceil(Math.min(ay, by, cy) - 0.5));
  const y1 = Math.min(h - 1, Math.floor(Math.max(ay, by, cy) - 0.5));
  const edges: [number, number, number, number][] = [
    [ax, ay, bx, by],
    [bx, by, cx, cy],
    [cx, cy, ax, ay],
  ];
  for (let y = y0; y <= y1; y++) {
    const sy = y + 0.5; // the pixel's centre, as GL samples it
    let lo = Infinity;
    let hi = -Infinity;
    for (const [x0, ey0, x1, ey1] of edges) {
      if ((sy < ey0 && sy < ey1) || (sy >= ey0 && sy >= ey1)) continue;
      const x = x0 + ((sy - ey0) / (ey1 - ey0)) * (x1 - x0);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (hi < lo) continue;
    const from = Math.max(0, Math.ceil(lo - 0.5));
    const to = Math.min(w, Math.ceil(hi - 0.5));
    if (to > from) pixels.fill(color, y * w + from, y * w + to);
  }
}

/** Triangles with the CPU rasterizer: projected, sorted far to near, filled. */
export function drawTrianglesCpu(img: CpuImage, map: PixelMap, tri: Triangles, scene: Scene3, pack: (c: RGBA) => number): void {
  const p = projectBox(scene, tri.box);
  const px = p.x.map((v) => map.x(v));
  const py = p.y.map((v) => map.y(v));
  for (const t of backToFront(tri, p)) {
    const a = tri.index[t * 3] as number;
    const b = tri.index[t * 3 + 1] as number;
    const c = tri.index[t * 3 + 2] as number;
    fillTriangle(img, px[a] as number, py[a] as number, px[b] as number, py[b] as number, px[c] as number, py[c] as number, pack(tri.color[t] as RGBA));
  }
}

const boxes = new WeakMap<PointSet3, { key: string; box: Float32Array }>();

/** A 3-D scatter's points projected for the scene's camera (box coordinates kept while the points and the box hold). */
export function projectPoints(scene: Scene3, set: PointSet3): Projected {
  const key = `${set.rev}/${set.version}/${scene.bounds.key()}`;
  let hit = boxes.get(set);
  if (!hit || hit.key !== key) boxes.set(set, (hit = { key, box: boxCoordinates(scene, set.x.values(), set.y.values(), set.z.values()) }));
  return projectBox(scene, hit.box);
}
