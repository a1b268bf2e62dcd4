/**
 * How a plot's data look: line colors, point colors and sizes, and the legend that explains
 * them. One place, so the GL layers, the CPU rasterizer and the legend always agree.
 */
import type { Line } from '../data/lineSet';
import type { PointStyle } from '../render/layers';
import type { DatasetState } from './dataset';
import { categoricalColor, cssColor, cssGradient, DEFAULT_CATEGORICAL, isCategorical, type RGBA } from './palette';
import type { RunLook } from './runLook';

export interface LegendEntry {
  key: string;
  label: string;
  title: string;
  color: string;
}

export interface Legend {
  entries: LegendEntry[];
  more: number;
  bar: { field: string; min: number; max: number; gradient: string } | null;
}

export class PlotStyles {
  /** Lines without a color field get palette colors in order of first appearance. */
  private lineIndex = new Map<string, number>();

  /** `runLook`: run colors and a highlight shared with other plots (the workspace); they win for lines colored by run. */
  constructor(
    private readonly palette: string | undefined,
    private readonly runLook: RunLook | null = null,
  ) {}

  lineColor(ds: DatasetState, line: Line): RGBA {
    if (ds.colorField === null) {
      let i = this.lineIndex.get(line.key);
      if (i === undefined) {
        i = this.lineIndex.size;
        this.lineIndex.set(line.key, i);
      }
      const pal = isCategorical(this.palette) ? this.palette : DEFAULT_CATEGORICAL;
      return categoricalColor(pal, i, 10);
    }
    if (ds.colorField === 'run' && this.runLook) return this.runLook.lineColor(line.run, ds.color.color(line.run));
    return ds.color.color(ds.colorField === 'run' ? line.run : line.colorValue);
  }

  pointStyle(ds: DatasetState): PointStyle {
    const pts = ds.points;
    const base: PointStyle = {
      colorMode: 0, colorRange: [0, 1], color: categoricalColor(this.palette, 0, 1), palette: this.palette,
      sizeRange: null, sizePx: [3, 3],
    };
    if (!pts) return base;
    if (ds.colorField !== null) {
      if (ds.color.continuous) {
        base.colorMode = 1;
        base.colorRange = ds.color.domain();
      } else if (isCategorical(this.palette ?? DEFAULT_CATEGORICAL)) {
        base.colorMode = 2;
      } else {
        base.colorMode = 3;
        base.colorRange = [0, Math.max(1, pts.colorNames.length - 1)];
      }
    }
    if (ds.sizeField !== null) {
      base.sizeRange = ds.sharedSize ?? ds.ownSizeRange();
      base.sizePx = [2, 14];
    }
    return base;
  }

  /** Legend entries: one per line (capped), and a color bar for a continuous color field. */
  legend(datasets: DatasetState[], runs: Set<string>, limit = 12): Legend {
    const entries: LegendEntry[] = [];
    let total = 0;
    let bar: Legend['bar'] = null;
    const many = datasets.length > 1;
    for (const ds of datasets) {
      const [min, max] = ds.color.domain();
      const valued = ds.painter.colorColumn?.(ds.request) ?? null;
      const barField = valued ?? ds.colorField;
      if (ds.color.continuous && barField !== null && Number.isFinite(min) && ds.rects?.shape !== 'bands') {
        bar = { field: valued === 'value' ? `${ds.request.aggregate ?? 'count'} of ${ds.request.value ?? 'rows'}` : barField, min, max, gradient: cssGradient(this.palette) };
      }
      if (ds.lines) {
        for (const line of ds.lines.lines.values()) {
          total++;
          if (entries.length >= limit) continue;
          // A run handle (a UUID) is shortened; a band's group label ("optimizer=adam") is not.
          const run = this.runLook?.names.get(line.run) ?? (line.run.length === 36 ? line.run.slice(0, 8) : line.run);
          const parts = [many ? ds.request.series : '', runs.size > 1 || line.labels.length === 0 ? run : '']
            .concat(line.labels.map(([k, v]) => `${k}=${v}`))
            .filter(Boolean);
          entries.push({ key: `${ds.request.series}/${line.key}`, label: parts.join(' '), title: line.run, color: cssColor(this.lineColor(ds, line)) });
        }
      } else if ((ds.points || ds.rects) && (ds.colorField !== null || ds.rects) && !ds.color.continuous) {
        for (const name of ds.color.categoryList()) {
          total++;
          if (entries.length < limit) entries.push({ key: `${ds.request.series}/${name}`, label: ds.colorField === 'run' || ds.colorField === null ? name.slice(0, 8) : name, title: name, color: cssColor(ds.color.color(name)) });
        }
      }
    }
    return { entries, more: total - entries.length, bar };
  }
}
