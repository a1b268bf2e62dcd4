/**
 * A plot's data pixels, kept in a texture that covers more than the visible range.
 *
 * Measured in headless Chromium on SwiftShader (docs/decisions/0003-plot-rendering.md): a
 * full draw of a million points or half a million line vertices takes 0.5-5 s there, and tens
 * of milliseconds on a laptop GPU. Panning and zooming must not pay that per frame. So the
 * data are drawn once into this texture for the view plus a margin on each side; while the
 * user drags or zooms, each frame only draws the texture shifted (or stretched, for zoom),
 * and the data are drawn again once the gesture pauses or leaves the margin. The cost of a
 * frame during a gesture no longer depends on how much data the plot holds.
 */
import { link, type Program } from './shaders';
import type { View } from './layers';

const BLIT_VS = /* glsl */ `#version 300 es
precision highp float;
in vec2 a_pos;
uniform vec4 u_uv; // texture coordinates of the view's corners: u0, v0, u1, v1
out vec2 v_uv;
void main() {
  vec2 t = a_pos * 0.5 + 0.5;
  v_uv = vec2(mix(u_uv.x, u_uv.z, t.x), mix(u_uv.y, u_uv.w, t.y));
  gl_Position = vec4(a_pos, 0.0, 1.0);
}
`;

const BLIT_FS = /* glsl */ `#version 300 es
precision highp float; // texel-exact coordinates on a texture thousands of pixels wide
in vec2 v_uv;
uniform sampler2D u_tex;
out vec4 outColor;
void main() {
  // Outside what was drawn is empty, not the edge pixels smeared.
  if (v_uv.x < 0.0 || v_uv.x > 1.0 || v_uv.y < 0.0 || v_uv.y > 1.0) discard;
  outColor = texture(u_tex, v_uv);
}
`;

/** Margin drawn beyond the view on each side, as a fraction of the view's size. */
export const MARGIN_X = 0.5;
export const MARGIN_Y = 0.25;
/** A gesture is over when the view has not changed for this long: then the data are redrawn. */
export const SETTLE_MS = 150;

const blitPrograms = new WeakMap<WebGL2RenderingContext, { program: Program; vao: WebGLVertexArrayObject | null; generation: number }>();

function blitProgram(gl: WebGL2RenderingContext, generation: number): { program: Program; vao: WebGLVertexArrayObject | null } {
  const hit = blitPrograms.get(gl);
  if (hit && hit.generation === generation) return hit;
  const program = link(gl, BLIT_VS, BLIT_FS, ['a_pos'], ['u_uv', 'u_tex']);
  const vao = gl.createVertexArray();
  gl.bindVertexArray(vao);
  const buf = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, buf);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  const a = program.attrib['a_pos'] as number;
  gl.enableVertexAttribArray(a);
  gl.vertexAttribPointer(a, 2, gl.FLOAT, false, 0, 0);
  gl.bindVertexArray(null);
  const out = { program, vao, generation };
  blitPrograms.set(gl, out);
  return out;
}

/** The view with margins (fractions of its size on each side): what the texture covers. */
export function expandView(v: View, mx: number, my: number): View {
  const dx = (v.x1 - v.x0) * mx;
  const dy = (v.y1 - v.y0) * my;
  return { ...v, x0: v.x0 - dx, x1: v.x1 + dx, y0: v.y0 - dy, y1: v.y1 + dy };
}

/**
 * True when `view` can be shown from a texture that covers `outer` and was drawn for `drawn`:
 * the same scale (a pure pan) and inside the covered range.
 */
export function panWithin(view: View, outer: View, drawn: View): boolean {
  const same = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return (
    same(view.x1 - view.x0, drawn.x1 - drawn.x0) &&
    same(view.y1 - view.y0, drawn.y1 - drawn.y0) &&
    view.x0 >= outer.x0 && view.x1 <= outer.x1 && view.y0 >= outer.y0 && view.y1 <= outer.y1 &&
    view.logX === outer.logX && view.logY === outer.logY
  );
}

export class FrameCache {
  private tex: WebGLTexture | null = null;
  private canvas2d: OffscreenCanvas | null = null;
  private fbo: WebGLFramebuffer | null = null;
  private msFbo: WebGLFramebuffer | null = null;
  private msRb: WebGLRenderbuffer | null = null;
  private depthRb: WebGLRenderbuffer | null = null;
  private generation = -1;
  w = 0;
  h = 0;
  /** The range the texture holds, or null when it holds nothing usable. */
  view: View | null = null;
  /** The visible view it was drawn for (its scale is the texture's scale). */
  drawnFor: View | null = null;

  /**
   * Binds a framebuffer of w × h for drawing the data (multisampled when `samples` > 0, as
   * the page's canvas would be), cleared. `depth` gives it a depth buffer (the 3-D kinds:
   * near points cover far ones whatever order they are drawn in). Call `end` after drawing.
   */
  begin(gl: WebGL2RenderingContext, generation: number, w: number, h: number, samples: number, depth = false): void {
    if (this.generation !== generation || this.w !== w || this.h !== h || (this.depthRb !== null) !== depth) this.allocate(gl, generation, w, h, samples, depth);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.msFbo ?? this.fbo);
    gl.viewport(0, 0, w, h);
    gl.disable(gl.SCISSOR_TEST);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(depth ? gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT : gl.COLOR_BUFFER_BIT);
  }

  end(gl: WebGL2RenderingContext, view: View, drawnFor: View): void {
    if (this.msFbo) {
      // Resolve the multisampled drawing into the texture.
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, this.msFbo);
      gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, this.fbo);
      gl.blitFramebuffer(0, 0, this.w, this.h, 0, 0, this.w, this.h, gl.COLOR_BUFFER_BIT, gl.NEAREST);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.view = view;
    this.drawnFor = drawnFor;
  }

  /** Puts CPU-drawn pixels (w × h RGBA, row 0 at the bottom) in the texture. */
  upload(gl: WebGL2RenderingContext, generation: number, w: number, h: number, bytes: Uint8Array, view: View, drawnFor: View): void {
    if (this.generation !== generation || this.w !== w || this.h !== h || this.msFbo) this.allocate(gl, generation, w, h, 0);
    gl.bindTexture(gl.TEXTURE_2D, this.tex);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, bytes);
    this.view = view;
    this.drawnFor = drawnFor;
  }

  /**
   * Keeps CPU-drawn pixels (w × h, row 0 at the bottom, premultiplied as GL blends) in a 2D
   * canvas instead of the texture (`GlResources.paint2d`). `bytes` are made straight-alpha
   * in place, as 2D canvases take them: the caller draws them anew before its next use.
   */
  put2d(generation: number, w: number, h: number, bytes: Uint8Array, view: View, drawnFor: View): void {
    if (!this.canvas2d || this.canvas2d.width !== w || this.canvas2d.height !== h) this.canvas2d = new OffscreenCanvas(w, h);
    const ctx = this.canvas2d.getContext('2d');
    if (!ctx) return;
    unpremultiply(bytes);
    const data = new Uint8ClampedArray(bytes.buffer as ArrayBuffer, bytes.byteOffset, w * h * 4);
    ctx.putImageData(new ImageData(data, w, h), 0, 0);
    this.generation = generation;
    this.w = w;
    this.h = h;
    this.view = view;
    this.drawnFor = drawnFor;
  }

  /** `blit` for pixels kept by `put2d`: into `ctx`'s w × h so that it shows `view`. */
  blit2d(ctx: CanvasRenderingContext2D, view: View, w: number, h: number): void {
    const uv = this.corners(view);
    if (!uv || !this.canvas2d) return;
    const [u0, v0, u1, v1] = uv;
    // Rows are kept bottom first (as GL's): drawn flipped. What lies outside the kept
    // range stays empty (a source rectangle past the canvas is clipped, as GL discards).
    ctx.save();
    ctx.setTransform(1, 0, 0, -1, 0, h);
    ctx.drawImage(this.canvas2d, u0 * this.w, v0 * this.h, (u1 - u0) * this.w, (v1 - v0) * this.h, 0, 0, w, h);
    ctx.restore();
  }

  /** Where `view`'s corners lie in what is kept, as fractions of it: u0, v0, u1, v1 (null: nothing kept). */
  private corners(view: View): [number, number, number, number] | null {
    const c = this.view;
    if (!c) return null;
    const u = (x: number): number => (x - c.x0) / (c.x1 - c.x0);
    const v = (y: number): number => (y - c.y0) / (c.y1 - c.y0);
    return [u(view.x0), v(view.y0), u(view.x1), v(view.y1)];
  }

  /** Whether `view` can be shown by shifting the texture, without drawing the data again. */
  shows(view: View, generation: number): boolean {
    return this.view !== null && this.drawnFor !== null && this.generation === generation && panWithin(view, this.view, this.drawnFor);
  }

  private allocate(gl: WebGL2RenderingContext, generation: number, w: number, h: number, samples: number, depth = false): void {
    this.dispose(gl);
    this.generation = generation;
    this.w = w;
    this.h = h;
    this.tex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, this.tex);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, w, h);
    // Linear filtering: a stretched texture during a zoom looks soft rather than blocky.
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    this.fbo = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fbo);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.tex, 0);
    if (samples > 0) {
      this.msRb = gl.createRenderbuffer();
      gl.bindRenderbuffer(gl.RENDERBUFFER, this.msRb);
      gl.renderbufferStorageMultisample(gl.RENDERBUFFER, samples, gl.RGBA8, w, h);
      this.msFbo = gl.createFramebuffer();
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.msFbo);
      gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.RENDERBUFFER, this.msRb);
    }
    if (depth) {
      // On the framebuffer drawn into (the multisampled one when there is one), bound above.
      this.depthRb = gl.createRenderbuffer();
      gl.bindRenderbuffer(gl.RENDERBUFFER, this.depthRb);
      if (samples > 0) gl.renderbufferStorageMultisample(gl.RENDERBUFFER, samples, gl.DEPTH_COMPONENT24, w, h);
      else gl.renderbufferStorage(gl.RENDERBUFFER, gl.DEPTH_COMPONENT24, w, h);
      gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.RENDERBUFFER, this.depthRb);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.view = null;
  }

  /** Draws the texture into the current viewport so that it shows `view`. */
  blit(gl: WebGL2RenderingContext, generation: number, view: View): void {
    const uv = this.corners(view);
    if (!uv || !this.tex) return;
    const { program, vao } = blitProgram(gl, generation);
    gl.useProgram(program.program);
    gl.uniform4f(program.uniform['u_uv'] ?? null, ...uv);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.tex);
    gl.uniform1i(program.uniform['u_tex'] ?? null, 0);
    gl.bindVertexArray(vao);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindVertexArray(null);
  }

  invalidate(): void {
    this.view = null;
  }

  dispose(gl: WebGL2RenderingContext): void {
    gl.deleteTexture(this.tex);
    gl.deleteFramebuffer(this.fbo);
    gl.deleteFramebuffer(this.msFbo);
    gl.deleteRenderbuffer(this.msRb);
    gl.deleteRenderbuffer(this.depthRb);
    this.tex = this.fbo = this.msFbo = null;
    this.msRb = this.depthRb = null;
    this.canvas2d = null;
    this.view = null;
  }
}

/** RGBA bytes premultiplied by their alpha made straight-alpha, in place. */
export function unpremultiply(bytes: Uint8Array): void {
  const px = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  for (let i = 0; i < px.length; i++) {
    const a = (px[i] as number) >>> 24;
    if (a === 0 || a === 255) continue; // empty, or opaque: the same either way
    const k = 255 / a;
    const j = i << 2;
    bytes[j] = Math.min(255, Math.round((bytes[j] as number) * k));
    bytes[j + 1] = Math.min(255, Math.round((bytes[j + 1] as number) * k));
    bytes[j + 2] = Math.min(255, Math.round((bytes[j + 2] as number) * k));
  }
}
