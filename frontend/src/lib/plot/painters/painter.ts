/**
 * A painter draws the datasets of the plot kinds that name it in the server's grammar
 * (lib/api/grammar.ts, `painter`): it makes the holder of a dataset's rows, draws them with
 * WebGL or with the CPU rasterizer, and finds the point nearest the cursor. The plot's
 * controller, data painter and hover read a dataset's painter instead of branching on
 * kinds; a kind that draws something new is one module beside line.ts, registered in
 * index.ts.
 */
import type { DataBatch } from '../../api/arrowData';
import type { ContourSettings, DataRequest, Smoothing } from '../../api/types';
import type { LineSet } from '../../data/lineSet';
import type { CpuImage, PixelMap } from '../../render/cpuRaster';
import type { View } from '../../render/layers';
import type { GlResources } from '../../render/sharedGl';
import type { Bounds3, Scene3 } from '../camera3d';
import type { DatasetState } from '../dataset';
import type { Nearest } from '../hover';
import type { PlotStyles } from '../styles';

/** The rows a dataset holds, in the shape its painter draws (a LineSet, a PointSet). */
export interface PaintData {
  /** Everything anew: a full load. */
  replace(batch: DataBatch): void;
  /** Rows committed after those held; `pixels` is the plot's width for reducing lines. */
  append(batch: DataBatch, pixels: number): void;
  dropRun(run: string): boolean;
  runs(): string[];
}

/** One dataset's copy on the GPU, kept in step with its rows. */
export interface GpuLayer {
  sync(res: GlResources, ds: DatasetState, view: View): void;
  draw(res: GlResources, ds: DatasetState, view: View, styles: PlotStyles, dpr: number): void;
  dispose(gl: WebGL2RenderingContext): void;
}

export interface Painter {
  readonly id: string;
  /** After a zoom, ask the server again for the rows it reduced (M4 lines get finer). */
  readonly refinesOnZoom: boolean;
  /**
   * With `refinesOnZoom`: after a zoom or pan the whole data are asked for again over the
   * visible x and y range (DatasetState.viewRange), not only finer lines along x (quiver:
   * its arrows are thinned per screen cell of the view).
   */
  readonly refetchesView?: boolean;
  /** Its data are what rows add up to (bins, cells): new rows mean a new load, not an append. */
  readonly reloadsOnAppend?: boolean;
  /** The lines where they are drawn when not at their rows' values (stacked areas), for the axes' extent. */
  shownLines?(ds: DatasetState): LineSet | null;
  /** Its marks start at y = 0 (stems), so a linear y axis always shows 0. */
  readonly fromZero?: boolean;
  /** The column colored on a continuous scale (a heatmap's value), or null: the color field's. */
  colorColumn?(req: DataRequest): string | null;
  /**
   * A 3-D kind (camera3d.ts): the plot orbits instead of panning, its 2-D view is the fixed
   * [-1, 1]² of normalized device coordinates, and the axes are a box the plot draws.
   */
  readonly space3?: {
    /** Adds the dataset's x, y, z ranges to the plot's box. */
    extend(ds: DatasetState, b: Bounds3): void;
    /** Hands the plot's scene (camera, box, aspect) to the dataset's holder. */
    attach(ds: DatasetState, scene: Scene3): void;
  };
  /** Points that span what it draws, for the axes' extent (a contour's grid nodes). */
  shownPoints?(ds: DatasetState): { x: Float64Array; y: Float64Array } | null;
  /** The holder of a dataset's rows, for its request, its color and size fields and the plot's view, smooth and contour settings. */
  holder(req: DataRequest, color: string | null, size: string | null, view?: string, smooth?: Smoothing, contour?: ContourSettings): PaintData;
  gpuLayer(): GpuLayer;
  /** Draws with the CPU rasterizer (software GL; see cpuRaster.ts), as the GPU layer would. */
  drawCpu(img: CpuImage, map: PixelMap, ds: DatasetState, view: View, styles: PlotStyles, dpr: number): void;
  /** The dataset's point nearest (px, py) if nearer than `best`, else `best`. */
  nearest(ds: DatasetState, view: View, w: number, h: number, px: number, py: number, best: Nearest | null): Nearest | null;
}
