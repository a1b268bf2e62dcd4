/**
 * GPU copies of a dataset's lines or points, kept in step with the float64 data: a full upload
 * when points changed, `bufferSubData` of just the new points when rows were appended.
 */
import type { Line, LineSet } from '../data/lineSet';
import type { PointSet } from '../data/pointSet';
import { lowerBound, upperBound } from '../data/m4';
import type { RGBA } from '../plot/palette';
import { packPoints, splitHi, splitLo } from './precision';
import type { Program } from './shaders';
import type { GlResources } from './sharedGl';
import { VertexBuffer, type Attrib } from './vertexBuffer';

/** The visible range in scale space (log10 of the value on a log axis). */
export interface View {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  logX: boolean;
  logY: boolean;
}

const STRIDE = 16; // [x_hi, y_hi, x_lo, y_lo] float32
const POSITION: readonly Attrib[] = [['a_hi', 2, 0], ['a_lo', 2, 8]];

function toScale(values: Float64Array, log: boolean): Float64Array {
  if (!log) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    out[i] = v > 0 ? Math.log10(v) : NaN;
  }
  return out;
}

/** One vertex buffer with its origin, growing by doubling so appends rarely re-upload. */
class PositionBuffer extends VertexBuffer {
  capacity = 0;
  count = 0;
  ox = 0;
  oy = 0;

  ensureRoom(res: GlResources, program: Program, need: number, keep: boolean): void {
    const gl = res.gl;
    if (this.ensure(res, program, STRIDE, POSITION)) {
      this.capacity = 0;
      this.count = 0;
    }
    if (need > this.capacity || !keep) {
      this.capacity = keep ? Math.max(need, this.capacity * 2) : Math.max(need, 16);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
      gl.bufferData(gl.ARRAY_BUFFER, this.capacity * STRIDE, gl.DYNAMIC_DRAW);
      if (keep) this.count = 0; // the old contents are gone: re-upload everything
    }
  }

  /** Uploads points [from, to) of x/y (scale space), at their own index. */
  write(res: GlResources, x: Float64Array, y: Float64Array, from: number, to: number): void {
    if (to <= from) return;
    const gl = res.gl;
    const data = new Float32Array((to - from) * 4);
    packPoints(x, y, from, to, this.ox, this.oy, data, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
    gl.bufferSubData(gl.ARRAY_BUFFER, from * STRIDE, data);
    this.count = to;
  }

  /** Sets the uniforms that place this buffer's points in the view. */
  place(gl: WebGL2RenderingContext, p: Program, view: View): void {
    const sx = view.x0 - this.ox;
    const sy = view.y0 - this.oy;
    gl.uniform2f(p.uniform['u_viewHi'] ?? null, splitHi(sx), splitHi(sy));
    gl.uniform2f(p.uniform['u_viewLo'] ?? null, splitLo(sx), splitLo(sy));
    gl.uniform2f(p.uniform['u_scale'] ?? null, 2 / (view.x1 - view.x0), 2 / (view.y1 - view.y0));
  }

}

function originOf(v: Float64Array): number {
  for (const x of v) if (Number.isFinite(x)) return Math.round(x);
  return 0;
}

interface LineEntry {
  line: Line;
  rev: number;
  logKey: string;
  buf: PositionBuffer;
}

/** The lines of one LineSet on the GPU; drawn as 1-pixel line strips, one color each. */
export class GpuLines {
  private entries = new Map<string, LineEntry>();

  sync(res: GlResources, set: LineSet, view: View): void {
    const logKey = `${view.logX}/${view.logY}`;
    for (const [key, e] of this.entries) {
      if (set.lines.get(key) !== e.line) {
        e.buf.dispose(res.gl);
        this.entries.delete(key);
      }
    }
    for (const [key, line] of set.lines) {
      let e = this.entries.get(key);
      if (!e) {
        e = { line, rev: -1, logKey, buf: new PositionBuffer() };
        this.entries.set(key, e);
      }
      const full = e.rev !== line.rev || e.logKey !== logKey || e.buf.generation !== res.generation;
      const n = line.x.length;
      if (!full && n === e.buf.count) continue;
      const x = toScale(line.x.values(), view.logX);
      const y = toScale(line.y.values(), view.logY);
      if (full) {
        e.buf.ensureRoom(res, res.line, n, false);
        e.buf.ox = originOf(x);
        e.buf.oy = originOf(y);
        e.buf.count = 0;
        e.rev = line.rev;
        e.logKey = logKey;
      } else if (n > e.buf.capacity) e.buf.ensureRoom(res, res.line, n, true);
      // Log axes transform the whole line; only the new part needs it, but that needs a
      // second code path for a rare case, so it is redone in full.
      e.buf.write(res, x, y, e.buf.count, n);
    }
  }

  /**
   * `alpha` below 1 draws the lines faint (the raw lines under smoothed ones); `fill` draws
   * each line's points as a triangle strip: pairs (x, below), (x, above) fill an area.
   */
  draw(res: GlResources, set: LineSet, view: View, colorOf: (line: Line) => RGBA, alpha = 1, fill = false): void {
    const gl = res.gl;
    const p = res.line;
    gl.useProgram(p.program);
    const lo = view.logX ? 10 ** view.x0 : view.x0;
    const hi = view.logX ? 10 ** view.x1 : view.x1;
    for (const [key, e] of this.entries) {
      const line = set.lines.get(key);
      if (!line || e.buf.count < 2) continue;
      let first = 0;
      let end = e.buf.count;
      if (line.sorted) {
        // Only the visible stretch, plus one point each side so lines run off the edge.
        first = Math.max(0, lowerBound(line.x.values(), lo, end) - 1);
        end = Math.min(end, upperBound(line.x.values(), hi, end) + 1);
        if (fill) {
          first -= first % 2; // a strip starts on a pair
          end = Math.min(e.buf.count, end + 1);
        }
        if (end - first < 2) continue;
      }
      const c = colorOf(line);
      // The color's own alpha fades a line (a legend highlight dims the others; 0 hides it).
      const a = alpha * (c[3] / 255);
      if (a <= 0) continue;
      gl.uniform4f(p.uniform['u_color'] ?? null, (c[0] / 255) * a, (c[1] / 255) * a, (c[2] / 255) * a, a);
      e.buf.place(gl, p, view);
      gl.bindVertexArray(e.buf.vao);
      gl.drawArrays(fill ? gl.TRIANGLE_STRIP : gl.LINE_STRIP, first, end - first);
    }
    gl.bindVertexArray(null);
  }

  dispose(gl: WebGL2RenderingContext): void {
    for (const e of this.entries.values()) e.buf.dispose(gl);
    this.entries.clear();
  }
}

export interface PointStyle {
  /** 0: one color, 1: continuous, 2: category cycles the palette, 3: category spread over it. */
  colorMode: 0 | 1 | 2 | 3;
  colorRange: [number, number];
  color: RGBA;
  palette: string | undefined;
  sizeRange: [number, number] | null;
  sizePx: [number, number];
}

/** A PointSet on the GPU: positions, color values and size values in three buffers. */
export class GpuPoints {
  private pos = new PositionBuffer();
  private attrs: WebGLBuffer | null = null; // [color, size] float32 pairs
  private attrsGeneration = -1;
  private rev = -1;
  private logKey = '';

  sync(res: GlResources, set: PointSet, view: View): void {
    const gl = res.gl;
    const logKey = `${view.logX}/${view.logY}`;
    const n = set.length;
    const full = this.rev !== set.rev || this.logKey !== logKey || this.pos.generation !== res.generation;
    if (!full && n === this.pos.count) return;
    const x = toScale(set.x.values(), view.logX);
    const y = toScale(set.y.values(), view.logY);
    let from = this.pos.count;
    if (full) {
      this.pos.ensureRoom(res, res.point, n, false);
      this.pos.ox = originOf(x);
      this.pos.oy = originOf(y);
      this.pos.count = 0;
      from = 0;
      this.rev = set.rev;
      this.logKey = logKey;
    } else if (n > this.pos.capacity) {
      this.pos.ensureRoom(res, res.point, n, true);
      from = 0;
    }
    if (from === 0 || !this.attrs) this.allocAttrs(res, this.pos.capacity);
    if (n <= from) return;
    this.pos.write(res, x, y, from, n);
    const attrs = new Float32Array((n - from) * 2);
    const c = set.color.values();
    const s = set.size.values();
    for (let i = from, o = 0; i < n; i++, o += 2) {
      attrs[o] = c[i] as number;
      attrs[o + 1] = s[i] as number;
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.attrs);
    gl.bufferSubData(gl.ARRAY_BUFFER, from * 8, attrs);
  }

  private allocAttrs(res: GlResources, capacity: number): void {
    const gl = res.gl;
    if (!this.attrs || this.attrsGeneration !== res.generation) this.attrs = gl.createBuffer();
    this.attrsGeneration = res.generation;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.attrs);
    gl.bufferData(gl.ARRAY_BUFFER, capacity * 8, gl.DYNAMIC_DRAW);
    gl.bindVertexArray(this.pos.vao);
    const ac = res.point.attrib['a_color'] as number;
    const as = res.point.attrib['a_size'] as number;
    gl.enableVertexAttribArray(ac);
    gl.vertexAttribPointer(ac, 1, gl.FLOAT, false, 8, 0);
    gl.enableVertexAttribArray(as);
    gl.vertexAttribPointer(as, 1, gl.FLOAT, false, 8, 4);
    gl.bindVertexArray(null);
  }

  draw(res: GlResources, view: View, style: PointStyle, dpr: number): void {
    if (this.pos.count === 0) return;
    const gl = res.gl;
    const p = res.point;
    gl.useProgram(p.program);
    this.pos.place(gl, p, view);
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
    gl.bindVertexArray(this.pos.vao);
    gl.drawArrays(gl.POINTS, 0, this.pos.count);
    gl.bindVertexArray(null);
  }

  dispose(gl: WebGL2RenderingContext): void {
    this.pos.dispose(gl);
    gl.deleteBuffer(this.attrs);
    this.attrs = null;
  }
}
