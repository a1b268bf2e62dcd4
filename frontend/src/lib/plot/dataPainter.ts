/**
 * Draws a plot's datasets into its frame cache — with GL primitives on a GPU, with the CPU
 * rasterizer on software GL — which the plot then shows in its viewport.
 */
import { CpuImage, PixelMap } from '../render/cpuRaster';
import { FrameCache, MARGIN_X, MARGIN_Y, expandView } from '../render/frameCache';
import type { View } from '../render/layers';
import type { GlResources } from '../render/sharedGl';
import type { DatasetState } from './dataset';
import type { GpuLayer } from './painters';
import type { PlotStyles } from './styles';

/**
 * The frame cache's size for a data area of w × h device pixels: margins only where the
 * texture stays within the GPU's limit, and a whole number of pixels each side. The view
 * must start on a texel boundary, or the blit's linear filtering spreads every 1 px line
 * over two pixel rows at half strength (what an odd height did when the margin was a
 * quarter of it: test_crisp_lines.py).
 */
export function cacheLayout(w: number, h: number, maxTextureSize: number): { px: number; py: number; cw: number; ch: number } {
  const mx = Math.round(w * MARGIN_X);
  const my = Math.round(h * MARGIN_Y);
  const px = w + 2 * mx <= maxTextureSize ? mx : 0;
  const py = h + 2 * my <= maxTextureSize ? my : 0;
  return { px, py, cw: w + 2 * px, ch: h + 2 * py };
}

export class DataPainter {
  readonly cache = new FrameCache();
  /** Each dataset's GPU copy, made by its painter. */
  private gpu = new Map<DatasetState, GpuLayer>();
  private cpuImage: CpuImage | null = null;

  constructor(private readonly styles: PlotStyles) {}

  /** Draws every dataset into the frame cache, for the view plus margins. */
  draw(res: GlResources, datasets: DatasetState[], view: View, areaW: number, areaH: number, dpr: number): void {
    const gl = res.gl;
    const w = Math.max(1, Math.round(areaW * dpr));
    const h = Math.max(1, Math.round(areaH * dpr));
    const { px, py, cw, ch } = cacheLayout(w, h, res.maxTextureSize);
    const full = expandView(view, px / w, py / h);
    if (res.cpuRaster) this.drawCpu(res, datasets, full, view, cw, ch, dpr);
    else this.drawGl(res, datasets, full, view, cw, ch, dpr);
  }

  /** On software GL, drawing with plain loops is many times faster (see cpuRaster.ts). */
  private drawCpu(res: GlResources, datasets: DatasetState[], full: View, view: View, cw: number, ch: number, dpr: number): void {
    if (!this.cpuImage || this.cpuImage.w !== cw || this.cpuImage.h !== ch) this.cpuImage = new CpuImage(cw, ch);
    const img = this.cpuImage;
    img.pixels.fill(0);
    const map = new PixelMap(full, cw, ch);
    for (const ds of datasets) ds.painter.drawCpu(img, map, ds, full, this.styles, dpr);
    if (res.paint2d) this.cache.put2d(res.generation, cw, ch, img.bytes, full, view);
    else this.cache.upload(res.gl, res.generation, cw, ch, img.bytes, full, view);
  }

  private drawGl(res: GlResources, datasets: DatasetState[], full: View, view: View, cw: number, ch: number, dpr: number): void {
    const gl = res.gl;
    // The 3-D kinds draw with a depth test: near points cover far ones in one draw call.
    const depth = datasets.some((ds) => ds.painter.space3 !== undefined);
    this.cache.begin(gl, res.generation, cw, ch, res.samples, depth);
    if (depth) {
      gl.enable(gl.DEPTH_TEST);
      gl.depthFunc(gl.LEQUAL);
    }
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    for (const ds of datasets) {
      let g = this.gpu.get(ds);
      if (!g) this.gpu.set(ds, (g = ds.painter.gpuLayer()));
      g.sync(res, ds, full);
      g.draw(res, ds, full, this.styles, dpr);
    }
    gl.disable(gl.DEPTH_TEST);
    this.cache.end(gl, full, view);
  }

  dispose(gl: WebGL2RenderingContext): void {
    this.cache.dispose(gl);
    for (const g of this.gpu.values()) g.dispose(gl);
    this.gpu.clear();
    this.cpuImage = null;
  }
}

export interface PaintGroup {
  painter: DataPainter;
  view: View;
  datasets: DatasetState[];
}

/** One painter (and frame cache) per pair of axes, since each pair pans on its own. */
export class AxisPainters {
  private byPair = new Map<string, DataPainter>();

  constructor(private readonly styles: PlotStyles) {}

  /** Datasets by the axes they are drawn on (`pairOf` names them), each with its painter and view. */
  groups(datasets: DatasetState[], pairOf: (ds: DatasetState) => string, viewOf: (ds: DatasetState) => View): PaintGroup[] {
    const out = new Map<string, PaintGroup>();
    for (const ds of datasets) {
      const key = pairOf(ds);
      let g = out.get(key);
      if (!g) {
        let painter = this.byPair.get(key);
        if (!painter) this.byPair.set(key, (painter = new DataPainter(this.styles)));
        g = { painter, view: viewOf(ds), datasets: [] };
        out.set(key, g);
      }
      g.datasets.push(ds);
    }
    return [...out.values()];
  }

  dispose(gl: WebGL2RenderingContext): void {
    for (const p of this.byPair.values()) p.dispose(gl);
    this.byPair.clear();
  }
}
