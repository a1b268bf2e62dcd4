/**
 * One WebGL2 context for every plot on the page: browsers keep only about 16 contexts alive
 * and silently drop the oldest, so a context per plot breaks a large dashboard.
 *
 * Two ways to get one context's pixels into many plots (docs/decisions/0003-plot-rendering.md
 * has the measurements):
 * - "copy": an offscreen GL canvas renders each plot that changed, then the pixels are copied
 *   with drawImage into that plot's own 2D canvas. Plots stay ordinary DOM boxes (scrolling,
 *   overlapping, z-order all just work) and a plot that changes costs only its own redraw.
 * - "page": one canvas fixed behind the whole page; each plot draws into its own scissor rect
 *   there. No copy, but every scroll redraws every visible plot, and the canvas is composited
 *   as one big layer.
 */
import { link, LINE_FS, LINE_VS, POINT_FS, POINT_VS, type Program } from './shaders';
import { categoricalColor, continuousColor, isCategorical } from '../plot/palette';

export type CompositeMode = 'copy' | 'page';

export interface GlResources {
  gl: WebGL2RenderingContext;
  /** Changes when the context was lost and restored: every buffer must be made anew. */
  generation: number;
  line: Program;
  point: Program;
  palette(name: string | undefined, categorical: boolean): { texture: WebGLTexture; size: number };
  /** MSAA samples for drawing data: 4 on a GPU, 0 on a software renderer (where it costs ~2x). */
  samples: number;
  maxTextureSize: number;
  /** Draw data with the CPU rasterizer (software GL), not GL primitives. */
  cpuRaster: boolean;
  /**
   * CPU-drawn pixels go straight to each plot's 2D canvas, GL untouched ("copy" mode on
   * software GL): uploading them to a texture, drawing it and reading the GL canvas back
   * for every plot's frame cost ~9 ms a frame there, a 2D copy ~0.1 ms.
   */
  paint2d: boolean;
}

/** The part of the drawing buffer a surface occupies, in device pixels (GL's bottom-left origin). */
export interface Viewport {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Renderers that run on the CPU: SwiftShader (headless Chromium without a GPU), llvmpipe. */
export function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}

export interface Surface {
  /** The element whose box is the plot's data area. */
  area: HTMLElement;
  /** The 2D canvas that shows the plot in "copy" mode (sized to `area`). */
  target: HTMLCanvasElement;
  /**
   * Draws the plot into `vp`, which is the current viewport and scissor, or with `paint2d`
   * into `ctx2d`, its own cleared 2D canvas. `false`: it drew nothing there (no data yet),
   * so "copy" mode clears its canvas instead of copying an empty viewport (a read-back of
   * the GL canvas on a software renderer).
   */
  render(res: GlResources, vp: Viewport, dpr: number, ctx2d?: CanvasRenderingContext2D): boolean | void;
}

export interface Registration {
  invalidate(): void;
  remove(): void;
}

const LINE_UNIFORMS = ['u_viewHi', 'u_viewLo', 'u_scale', 'u_color'];
const POINT_UNIFORMS = [...LINE_UNIFORMS, 'u_colorMode', 'u_colorRange', 'u_palette', 'u_paletteSize', 'u_size', 'u_sizePx'];

export class SharedGl {
  readonly canvas: HTMLCanvasElement;
  readonly gl: WebGL2RenderingContext;
  private res: GlResources;
  private surfaces = new Set<Surface>();
  private dirty = new Set<Surface>();
  private allDirty = false;
  private scheduled = false;
  private lost = false;
  private palettes = new Map<string, { texture: WebGLTexture; size: number }>();
  /** Frames drawn, and the time the last one took on the CPU side (for the test hook). */
  frames = 0;
  lastFrameMs = 0;
  onFrame: (() => void) | null = null;

  constructor(readonly mode: CompositeMode) {
    this.canvas = document.createElement('canvas');
    const gl = this.canvas.getContext('webgl2', {
      // Data are drawn multisampled into each plot's frame cache; the canvas only receives
      // copies of those, so its own MSAA would cost without improving anything.
      antialias: false,
      premultipliedAlpha: true,
      alpha: true,
      // Page mode redraws only the plots that changed, so the rest must survive a composite.
      preserveDrawingBuffer: mode === 'page',
    });
    if (!gl) throw new Error('This browser cannot create a WebGL2 context, which streamvis needs to draw plots.');
    this.gl = gl;
    if (mode === 'page') {
      this.canvas.className = 'sv-page-canvas';
      Object.assign(this.canvas.style, { position: 'fixed', inset: '0', zIndex: '0', pointerEvents: 'none' });
      document.body.prepend(this.canvas);
      const all = (): void => this.invalidateAll();
      window.addEventListener('scroll', all, { capture: true, passive: true });
      window.addEventListener('resize', all);
    }
    this.canvas.addEventListener('webglcontextlost', (e) => {
      e.preventDefault(); // lets the browser restore it
      this.lost = true;
    });
    this.canvas.addEventListener('webglcontextrestored', () => {
      this.lost = false;
      this.res = this.makeResources(this.res.generation + 1);
      this.invalidateAll();
    });
    this.res = this.makeResources(1);
  }

  private makeResources(generation: number): GlResources {
    const gl = this.gl;
    this.palettes.clear();
    const software = isSoftwareRenderer(this.rendererName());
    const params = new URLSearchParams(location.search);
    const aa = params.get('aa');
    // `?raster=gl` / `?raster=cpu` override the choice (for benchmarks and comparisons).
    const raster = params.get('raster');
    const cpuRaster = raster === 'cpu' || (software && raster !== 'gl');
    const samples = aa === '0' || (software && aa !== '1') ? 0 : Math.min(4, Number(gl.getParameter(gl.MAX_SAMPLES)) || 0);
    return {
      gl,
      generation,
      samples,
      maxTextureSize: Number(gl.getParameter(gl.MAX_TEXTURE_SIZE)) || 4096,
      cpuRaster,
      paint2d: cpuRaster && this.mode === 'copy',
      line: link(gl, LINE_VS, LINE_FS, ['a_hi', 'a_lo'], LINE_UNIFORMS),
      point: link(gl, POINT_VS, POINT_FS, ['a_hi', 'a_lo', 'a_color', 'a_size'], POINT_UNIFORMS),
      palette: (name, categorical) => this.palette(name, categorical),
    };
  }

  /** A palette as a texture: N texels for a categorical one, 256 for a continuous one. */
  private palette(name: string | undefined, categorical: boolean): { texture: WebGLTexture; size: number } {
    const cycle = categorical && isCategorical(name ?? 'tab10');
    const key = `${name ?? ''}/${cycle}`;
    const hit = this.palettes.get(key);
    if (hit) return hit;
    const size = cycle ? 20 : 256;
    const data = new Uint8Array(size * 4);
    for (let i = 0; i < size; i++) {
      const c = cycle ? categoricalColor(name ?? 'tab10', i, size) : continuousColor(name, i / (size - 1));
      data.set(c, i * 4);
    }
    const gl = this.gl;
    const texture = gl.createTexture();
    if (!texture) throw new Error('WebGL: cannot create a texture');
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, size, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, data);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, cycle ? gl.NEAREST : gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, cycle ? gl.NEAREST : gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    const out = { texture, size };
    this.palettes.set(key, out);
    return out;
  }

  add(surface: Surface): Registration {
    this.surfaces.add(surface);
    // In "copy" mode each plot has its own canvas, so a plot coming or going changes no
    // other's pixels: redrawing them all made a workspace that mounts panels as they scroll
    // into view redraw every panel mounted so far for each new one. On the page canvas the
    // layout may have moved them all.
    if (this.mode === 'copy') this.dirty.add(surface);
    else this.allDirty = true;
    this.schedule();
    return {
      invalidate: () => {
        this.dirty.add(surface);
        this.schedule();
      },
      remove: () => {
        this.surfaces.delete(surface);
        this.dirty.delete(surface);
        if (this.mode !== 'copy') this.invalidateAll();
      },
    };
  }

  invalidateAll(): void {
    this.allDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.frame();
    });
  }

  /** Draws what changed now, synchronously (also used by benchmarks to time one frame). */
  frame(): number {
    if (this.lost) return 0;
    const t0 = performance.now();
    if (this.mode === 'page') this.framePage();
    else this.frameCopy();
    this.frames++;
    this.lastFrameMs = performance.now() - t0;
    this.onFrame?.();
    return this.lastFrameMs;
  }

  private prepare(x: number, y: number, w: number, h: number): void {
    const gl = this.gl;
    gl.viewport(x, y, w, h);
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(x, y, w, h);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
  }

  private frameCopy(): void {
    const todo = this.allDirty ? [...this.surfaces] : [...this.dirty];
    this.allDirty = false;
    this.dirty.clear();
    const dpr = window.devicePixelRatio || 1;
    for (const s of todo) {
      const w = s.target.width;
      const h = s.target.height;
      if (w === 0 || h === 0 || !s.area.isConnected) continue;
      if (this.res.paint2d) {
        const ctx = s.target.getContext('2d');
        if (!ctx) continue;
        ctx.clearRect(0, 0, w, h);
        s.render(this.res, { x: 0, y: 0, w, h }, dpr, ctx);
        continue;
      }
      // Grow only: resizing the drawing buffer reallocates it and costs more than a big one.
      if (this.canvas.width < w || this.canvas.height < h) {
        this.canvas.width = Math.max(this.canvas.width, w);
        this.canvas.height = Math.max(this.canvas.height, h);
      }
      this.prepare(0, 0, w, h);
      const drew = s.render(this.res, { x: 0, y: 0, w, h }, dpr);
      const ctx = s.target.getContext('2d');
      if (!ctx) continue;
      ctx.clearRect(0, 0, w, h);
      // GL's origin is bottom-left: the viewport (0, 0, w, h) is the canvas's bottom rows.
      if (drew !== false) ctx.drawImage(this.canvas, 0, this.canvas.height - h, w, h, 0, 0, w, h);
    }
  }

  private framePage(): void {
    const gl = this.gl;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.round(window.innerWidth * dpr);
    const ch = Math.round(window.innerHeight * dpr);
    let todo: Surface[];
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      this.canvas.width = cw;
      this.canvas.height = ch;
      this.canvas.style.width = `${window.innerWidth}px`;
      this.canvas.style.height = `${window.innerHeight}px`;
      this.allDirty = true;
    }
    if (this.allDirty) {
      gl.disable(gl.SCISSOR_TEST);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      todo = [...this.surfaces];
    } else todo = [...this.dirty];
    this.allDirty = false;
    this.dirty.clear();
    for (const s of todo) {
      if (!s.area.isConnected) continue;
      const r = s.area.getBoundingClientRect();
      const x = Math.round(r.left * dpr);
      const w = Math.round(r.width * dpr);
      const h = Math.round(r.height * dpr);
      const y = ch - Math.round(r.top * dpr) - h;
      if (w === 0 || h === 0 || x >= cw || y >= ch || x + w <= 0 || y + h <= 0) continue;
      this.prepare(x, y, w, h);
      s.render(this.res, { x, y, w, h }, dpr);
    }
  }

  /** Whether data are drawn by the CPU rasterizer (software GL) rather than GL primitives. */
  get cpuRaster(): boolean {
    return this.res.cpuRaster;
  }

  /** What the GPU is, from WEBGL_debug_renderer_info (tells a real GPU from SwiftShader). */
  rendererName(): string {
    const ext = this.gl.getExtension('WEBGL_debug_renderer_info');
    return String(this.gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : this.gl.RENDERER));
  }

  /** Blocks until the GPU has finished (benchmarks only: it stalls the pipeline). */
  finish(): void {
    const px = new Uint8Array(4);
    this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, px);
  }
}

let shared: SharedGl | null = null;

/** The page's one context, made on first use. `?gl=page` picks the other compositing mode. */
export function sharedGl(): SharedGl {
  if (!shared) {
    const mode = new URLSearchParams(location.search).get('gl') === 'page' ? 'page' : 'copy';
    shared = new SharedGl(mode);
  }
  return shared;
}
