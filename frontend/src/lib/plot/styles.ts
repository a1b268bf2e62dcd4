/**
 * How a plot's data look: line colors, point colors and sizes, and the legend that explains
 * them. One place, so the GL layers, the CPU rasterizer and the legend always agree.
 */
import type { Line } from '../data/lineSet';
import type { PointFilter } from '../data/pointView';
import type { PointStyle } from '../render/layers';
import type { DatasetState } from './dataset';
import { categoricalColor, cssColor, cssGradient, DEFAULT_CATEGORICAL, isCategorical, runColor, type RGBA } from './palette';
import { shortHandle } from './runLabels';
import type { RunLook } from './runLook';

export interface LegendEntry {
  key: string;
  label: string;
  title: string;
  color: string;
  /** Toggled off in the legend: its lines are not drawn. */
  hidden: boolean;
}

export interface Legend {
  /** The color field of a category key ("optimizer": adam, sgd), null when entries are lines. */
  heading: string | null;
  entries: LegendEntry[];
  more: number;
  bar: { field: string; min: number; max: number; gradient: string; log: boolean } | null;
}

/** How much of its color a line keeps while another legend entry is highlighted. */
const DIMMED = 0.15;

export class PlotStyles {
  /** Lines without a color field get palette colors in order of first appearance. */
  private lineIndex = new Map<string, number>();
  /** Legend entries toggled off (their keys), and the one the pointer is over. */
  readonly hidden = new Set<string>();
  highlight: string | null = null;
  /** What tells the plot's runs apart ("lr=0.003 · sgd"), by handle; filled in when their attributes arrive. */
  runLabels = new Map<string, string>();

  /** `runLook`: run colors and a highlight shared with other plots (the workspace); they win for lines colored by run. */
  constructor(
    private readonly palette: string | undefined,
    private readonly runLook: RunLook | null = null,
  ) {}

  /** The legend entry a line belongs to: its color category under a category key, else the line itself. */
  entryKey(ds: DatasetState, line: Line): string {
    if (this.categoryKeyed(ds)) return `${ds.request.series}/=${String(line.colorValue)}`;
    return `${ds.request.series}/${line.key}`;
  }

  /** What a line is called in the legend and the crosshair: its series (of several), what differs about its run, its group values. */
  lineLabel(ds: DatasetState, line: Line, runs: Set<string>, many: boolean): string {
    // The workspace names runs as its run list does; elsewhere by what differs between them.
    const name = this.runLook?.names.get(line.run) ?? this.runLabels.get(line.run) ?? shortHandle(line.run);
    const run = runs.size > 1 || line.labels.length === 0 ? name : '';
    const parts = [many ? ds.request.series : '', run].concat(line.labels.map(([k, v]) => `${k}=${v}`)).filter(Boolean);
    return parts.join(' · ');
  }

  /** Lines colored by a string or bool field (not the run) share one legend entry per value. */
  private categoryKeyed(ds: DatasetState): boolean {
    return ds.colorField !== null && ds.colorField !== 'run' && !ds.color.continuous;
  }

  /** A line's color as drawn: faded while another entry is highlighted, transparent when hidden. */
  lineColor(ds: DatasetState, line: Line): RGBA {
    const c = this.baseLineColor(ds, line);
    if (this.hidden.size === 0 && this.highlight === null) return c;
    const key = this.entryKey(ds, line);
    if (this.hidden.has(key)) return [c[0], c[1], c[2], 0];
    if (this.highlight !== null && this.highlight !== key) return [c[0], c[1], c[2], Math.round(255 * DIMMED)];
    return c;
  }

  /** A run's page-wide color (the workspace's run list's, when there is one), for marks drawn per run that are no lines. */
  runColor(run: string): RGBA {
    return this.runLook ? this.runLook.lineColor(run, runColor(run)) : runColor(run);
  }

  /** A line's own color. One line per run and no palette asked for: the run's page-wide color. */
  baseLineColor(ds: DatasetState, line: Line): RGBA {
    // A band's line is a group's mean, not a run: it keeps the palette's order.
    const byRun = ds.painter.id !== 'band' && (ds.colorField === 'run' || (ds.colorField === null && line.labels.length === 0));
    // The workspace's shared run colors (and its highlighted run) win for lines colored by run.
    if (byRun && this.runLook) return this.runLook.lineColor(line.run, this.palette === undefined ? runColor(line.run) : ds.color.color(line.run));
    if (byRun && this.palette === undefined) return runColor(line.run);
    if (ds.colorField === null) {
      let i = this.lineIndex.get(line.key);
      if (i === undefined) {
        i = this.lineIndex.size;
        this.lineIndex.set(line.key, i);
      }
      const pal = isCategorical(this.palette) ? this.palette : DEFAULT_CATEGORICAL;
      return categoricalColor(pal, i, 10);
    }
    return ds.color.lineColor(ds.colorField === 'run' ? line.run : line.colorValue);
  }

  /** `logColor`: the points' color values are log10 (pointFilter), so the range is too. */
  pointStyle(ds: DatasetState, logColor = false): PointStyle {
    const pts = ds.points;
    const base: PointStyle = {
      colorMode: 0, colorRange: [0, 1], color: categoricalColor(this.palette, 0, 1), palette: this.palette,
      sizeRange: null, sizePx: [3, 3],
    };
    if (!pts) return base;
    base.sizePx = [pointPx(pts.length), pointPx(pts.length)];
    if (ds.colorField !== null) {
      if (ds.color.continuous) {
        base.colorMode = 1;
        const [lo, hi] = ds.color.domain();
        base.colorRange = logColor ? [Math.log10(lo), Math.log10(hi)] : [lo, hi];
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

  /** Which of a scatter's points are drawn and how (lib/data/pointView.ts): its legend's hidden categories, log color. */
  pointFilter(ds: DatasetState): PointFilter {
    const pts = ds.points;
    const hidden = new Set<number>();
    if (pts && this.hidden.size > 0) pts.colorNames.forEach((name, i) => this.hidden.has(`${ds.request.series}/${name}`) && hidden.add(i));
    return { hidden, logColor: ds.colorField !== null && ds.color.continuous && ds.color.log };
  }

  /**
   * Legend entries: one per line (capped) labelled by what differs between the runs, or a
   * category key when lines are colored by a string or bool field; a color bar for a
   * continuous color field with many values.
   */
  legend(datasets: DatasetState[], runs: Set<string>, limit = 40): Legend {
    const entries: LegendEntry[] = [];
    const seen = new Set<string>();
    let total = 0;
    let bar: Legend['bar'] = null;
    let heading: string | null = null;
    const many = datasets.length > 1;
    const add = (key: string, label: string, title: string, color: RGBA): void => {
      if (seen.has(key)) return;
      seen.add(key);
      total++;
      if (entries.length < limit) entries.push({ key, label, title, color: cssColor(color), hidden: this.hidden.has(key) });
    };
    for (const ds of datasets) {
      const [min, max] = ds.color.domain();
      const valued = ds.painter.colorColumn?.(ds.request) ?? null;
      const barField = valued ?? ds.colorField;
      const linesByRank = ds.lines !== null && ds.color.ordinal;
      if (ds.color.continuous && barField !== null && Number.isFinite(min) && ds.rects?.shape !== 'bands' && !linesByRank) {
        const field = valued === 'value' ? `${ds.request.aggregate ?? 'count'} of ${ds.request.value ?? 'rows'}` : barField;
        bar = { field, min, max, gradient: cssGradient(this.palette), log: ds.color.log };
      }
      if (ds.lines && this.categoryKeyed(ds)) {
        heading = ds.colorField;
        for (const line of ds.lines.lines.values()) {
          add(this.entryKey(ds, line), String(line.colorValue), `${ds.colorField} = ${String(line.colorValue)}`, this.baseLineColor(ds, line));
        }
      } else if (ds.lines) {
        for (const line of ds.lines.lines.values()) {
          add(this.entryKey(ds, line), this.lineLabel(ds, line, runs, many), line.run, this.baseLineColor(ds, line));
        }
      } else if ((ds.points || ds.rects) && (ds.colorField !== null || ds.rects) && !ds.color.continuous) {
        if (ds.colorField !== null && ds.colorField !== 'run') heading = ds.colorField;
        for (const name of ds.color.categoryList()) {
          const label = ds.colorField === 'run' || ds.colorField === null ? (this.runLabels.get(name) ?? shortHandle(name)) : name;
          add(`${ds.request.series}/${name}`, label, name, ds.color.color(name));
        }
      }
    }
    return { heading, entries, more: total - entries.length, bar };
  }
}

/**
 * A scatter's point size when no field sets it: a few points (a run per point, the compare
 * page's hyperparameter scatter) big enough to see and hover, a cloud of thousands small
 * enough not to merge into a blob (3 px made a 3-run scatter look empty).
 */
export function pointPx(count: number): number {
  return count <= 100 ? 8 : count <= 2_000 ? 5 : 3;
}
