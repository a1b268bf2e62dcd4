/**
 * A read-only window into what each plot shows, for browser tests and benchmarks:
 * `window.__streamvis.plots()`. It reads state; nothing in the app depends on it.
 */
import type { PlotController } from './plot/controller';
import { project } from './plot/camera3d';
import { pan } from './plot/viewState';
import { sharedGl } from './render/sharedGl';

/** Each mounted plot with the element it is drawn in: plots() lists them in page order. */
const plots = new Map<PlotController, Element>();

export function registerPlot(p: PlotController, el: Element): () => void {
  plots.set(p, el);
  return () => plots.delete(p);
}

function lastPoint(p: PlotController['datasets'][number]): [number | null, number | null] {
  if (p.points && p.points.length > 0) return [p.points.x.last(), p.points.y.last()];
  let bx: number | null = null;
  let by: number | null = null;
  for (const l of p.lines?.lines.values() ?? []) {
    const x = l.x.last();
    if (Number.isFinite(x) && (bx === null || x > bx)) {
      bx = x;
      by = l.y.last();
    }
  }
  return [bx, by];
}

/** A range as JSON can carry it: null where nothing was seen. */
function finite(r: [number, number] | null): [number, number] | null {
  return r && Number.isFinite(r[0]) && Number.isFinite(r[1]) ? [r[0], r[1]] : null;
}

function describe(p: PlotController): unknown {
  const bar = p.legend().bar;
  return {
    name: p.spec.name,
    title: p.spec.title ?? null,
    /** A facet panel: its ranges and scales are its grid's. */
    shared: p.shared !== null,
    legendBar: bar ? { field: bar.field, min: bar.min, max: bar.max } : null,
    kind: p.kind,
    view: { ...p.view },
    /** The x axis as drawn: its title and tick labels. */
    xAxis: { title: p.axisOptions().xTitle, ticks: [...p.xTickLabels] },
    /** The second axes (hybrid plots): x2's range as x0/x1, y2's as y0/y1. */
    second: { ...p.second },
    hasX2: p.hasX2,
    hasY2: p.hasY2,
    auto: p.auto,
    /** The y range followed (PlotSpec.y_range) and the marks where values run past the area's edge. */
    yRange: p.yRangeMode,
    clipMarks: p.clipMarks.length,
    /** A 3-D plot's camera (camera3d.ts), null for the 2-D kinds. */
    camera: p.scene ? { ...p.scene.camera } : null,
    /** The hovered point: its position in the data area (CSS pixels) and its values. */
    hover: p.hover ? { px: p.hover.px, py: p.hover.py, x: p.hover.x, y: p.hover.y, run: p.hover.run, labels: p.hover.labels, smoothed: p.hover.smoothed ?? null } : null,
    problem: p.problem,
    firstFullRenderAt: p.firstFullRenderAt,
    datasets: p.datasets.map((d) => {
      const [lastX, lastY] = lastPoint(d);
      return {
        loadMs: d.loadMs,
        loadStartedAt: d.loadStartedAt,
        series: d.request.series,
        axes: p.axesOf(d),
        where: d.request.where ?? [],
        loaded: d.loaded,
        error: d.error,
        reduced: d.reduced,
        lastSequence: d.lastSequence,
        points: d.lines ? d.lines.pointCount() : (d.points?.length ?? d.rects?.length ?? 0),
        lines: d.lines ? d.lines.lines.size : 0,
        runs: d.runs(),
        lastX,
        lastY,
        colorField: d.colorField,
        /** The continuous color domain the dataset is drawn with (own, or its grid's). */
        colorDomain: d.color.continuous && d.colorField !== null ? finite(d.color.domain()) : null,
        ownColorDomain: d.ownColorDomain(),
      };
    }),
  };
}

/**
 * In the order the page shows them, not the order they mounted: cells mount as their
 * specs arrive, so mount order varies from load to load.
 */
const list = (): PlotController[] =>
  [...plots]
    .sort(([, a], [, b]) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_PRECEDING ? 1 : -1))
    .map(([p]) => p);

/** What a plot's own data span, whatever its facet grid shares; a pass over every point. */
function ownExtents(p: PlotController): unknown {
  const e = p.extent(false);
  return {
    /** The main axes, in scale space. */
    x: finite([e.x0, e.x1]),
    y: finite([e.y0, e.y1]),
    /** Per dataset: the size domain it is drawn with (own, or its grid's). */
    size: p.datasets.map((d) => (d.sizeField !== null ? finite(d.sharedSize ?? d.ownSizeRange()) : null)),
  };
}

/** Frame timings of a benchmark gesture: wall time per frame (rAF to rAF) and CPU time in the renderer. */
interface FrameTimes {
  frames: number;
  msPerFrame: number;
  fps: number;
  cpuMsPerFrame: number;
}

/**
 * Runs `move(n)` (n = 1..frames) once per animation frame, draws each frame at once rather
 * than on the next rAF (with `sync`, waiting for the GPU too), and reports the timings.
 */
function timedFrames(frames: number, sync: boolean, move: (n: number) => void): Promise<FrameTimes> {
  return new Promise((resolve) => {
    const gl = sharedGl();
    let n = 0;
    let cpu = 0;
    let t0 = 0;
    const step = (t: number): void => {
      if (n === 0) t0 = t;
      if (n === frames) {
        const ms = (t - t0) / frames;
        resolve({ frames, msPerFrame: ms, fps: 1000 / ms, cpuMsPerFrame: cpu / frames });
        return;
      }
      n++;
      move(n);
      const c0 = performance.now();
      gl.frame();
      if (sync) gl.finish(); // count the GPU's work too, not just issuing it
      cpu += performance.now() - c0;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}

const hook = {
  plots: () => list().map(describe),
  /** Not part of plots(): benchmarks poll that every frame, and this reads every point. */
  extents: () => list().map(ownExtents),
  renderer: () => ({ mode: sharedGl().mode, raster: sharedGl().cpuRaster ? 'cpu' : 'gl', renderer: sharedGl().rendererName(), frames: sharedGl().frames }),
  /**
   * Benchmarks: pans plot `index` by `dx` CSS pixels per frame for `frames` frames, and
   * reports wall time per frame (requestAnimationFrame to requestAnimationFrame, so it includes
   * compositing) and CPU time per frame inside the renderer.
   */
  pan: (index: number, frames: number, dx: number, sync = false): Promise<FrameTimes> => {
    const p = list()[index];
    if (!p) throw new Error(`no plot ${index}`);
    return timedFrames(frames, sync, (n) => p.setView(pan(p.view, n % 40 < 20 ? dx : -dx, 0, p.areaW, p.areaH)));
  },
  /** Benchmarks: ms for `frames` frames that each draw plot `index`'s data in full, GPU finished. */
  redraw: (index: number, frames: number): number => {
    const p = list()[index];
    if (!p) throw new Error(`no plot ${index}`);
    const gl = sharedGl();
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) {
      p.invalidateData();
      gl.frame();
      gl.finish();
    }
    return (performance.now() - t0) / frames;
  },
  /** Benchmarks: the page's frame interval with nothing to draw (what compositing alone costs). */
  idleFrameMs: (frames: number): Promise<number> =>
    new Promise((resolve) => {
      let n = 0;
      let t0 = 0;
      const step = (t: number): void => {
        if (n === 0) t0 = t;
        if (n++ === frames) resolve((t - t0) / frames);
        else requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    }),
  /**
   * Where data point (x, y, z) of 3-D plot `index` is drawn: CSS pixels from the top-left of
   * its data area, and its depth; null for a 2-D plot or a point behind the eye.
   */
  project3: (index: number, x: number, y: number, z: number): [number, number, number] | null => {
    const p = list()[index];
    const p3 = p?.plot3;
    if (!p || !p3) return null;
    const [nx, ny, w] = project(p3.scene.matrix(), ...p3.toBox(x, y, z));
    if (w <= 0) return null;
    const v = p.view;
    return [((nx - v.x0) / (v.x1 - v.x0)) * p.areaW, p.areaH - ((ny - v.y0) / (v.y1 - v.y0)) * p.areaH, w];
  },
  /** Benchmarks: orbits 3-D plot `index` by `dx` CSS pixels per frame for `frames` frames (as pan does for 2-D). */
  orbit: (index: number, frames: number, dx: number, sync = false): Promise<FrameTimes> => {
    const p = list()[index];
    if (!p?.scene) throw new Error(`plot ${index} is not a 3-D plot`);
    return timedFrames(frames, sync, () => p.panBy(dx, 0));
  },
  /** Blocks until the GPU is done with everything issued (benchmarks). */
  finish: () => sharedGl().finish(),
};

declare global {
  interface Window {
    __streamvis?: typeof hook;
    /** Set by benchmarks before the page loads: wait for the GPU where timings are taken. */
    __streamvisBench?: boolean;
  }
}

export function installTestHook(): void {
  window.__streamvis = hook;
}
