/**
 * Runs as bands: per group of runs its mean as a line over a lighter band of the runs'
 * min–max (or ± std, the plot's `view: "std"`), computed on the server per pixel column
 * (web/bands.py). The hover reads out the mean, the band's edges and how many runs.
 */
import { BandSet } from '../../data/bandSet';
import { fillBetween, pack } from '../../render/cpuRaster';
import { drawLinesCpu } from '../../render/cpuLayers';
import { GpuLines } from '../../render/layers';
import { formatValue } from '../format';
import { nearestOnLines } from '../hover';
import type { Painter } from './painter';

/** How opaque a band is under its mean line. */
export const BAND_ALPHA = 0.3;

export const band: Painter = {
  id: 'band',
  refinesOnZoom: false,
  reloadsOnAppend: true,
  holder: (req, color, _size, view) =>
    // The server sends each group's label as its `run`: that is what keys the lines.
    new BandSet({ x: req.x ?? '', y: req.y ?? '', group: [], color }, view === 'std' ? 'std' : 'minmax'),
  shownLines: (ds) => (ds.data instanceof BandSet ? ds.data.fills : null),
  gpuLayer() {
    const fills = new GpuLines();
    const means = new GpuLines();
    return {
      sync(res, ds, view) {
        if (!(ds.data instanceof BandSet)) return;
        fills.sync(res, ds.data.fills, view);
        means.sync(res, ds.data, view);
      },
      draw(res, ds, view, styles) {
        if (!(ds.data instanceof BandSet)) return;
        fills.draw(res, ds.data.fills, view, (l) => styles.lineColor(ds, l), BAND_ALPHA, true);
        means.draw(res, ds.data, view, (l) => styles.lineColor(ds, l));
      },
      dispose: (gl) => {
        fills.dispose(gl);
        means.dispose(gl);
      },
    };
  },
  drawCpu(img, map, ds, view, styles) {
    if (!(ds.data instanceof BandSet)) return;
    for (const l of ds.data.fills.lines.values()) fillBetween(img, map, l.x.values(), l.y.values(), pack(styles.lineColor(ds, l), BAND_ALPHA));
    drawLinesCpu(img, map, ds.data, view, (l) => styles.lineColor(ds, l));
  },
  nearest(ds, view, w, h, px, py, best) {
    if (!(ds.data instanceof BandSet)) return best;
    const found = nearestOnLines(ds.data, view, w, h, px, py, best);
    const e = found !== best && found?.line ? ds.data.edges.get(found.line.key) : undefined;
    if (!found || !e) return found;
    const i = found.index;
    const edge = ds.data.mode === 'std' ? ['−std', '+std'] : ['min', 'max'];
    return { ...found, labels: [...found.labels, [edge[0] as string, formatValue(e.low[i] as number)], [edge[1] as string, formatValue(e.high[i] as number)], ['runs', String(e.runs[i])]] };
  },
};
