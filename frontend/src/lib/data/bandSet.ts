/**
 * Runs as bands (web/bands.py): per group of runs a mean line, and around it a band of the
 * runs' min–max or mean ± std, as the server sends them per pixel column. The mean lines are
 * this LineSet's own; the bands a second set of strips (x, low), (x, high) for the fill.
 */
import type { DataBatch } from '../api/arrowData';
import { Column } from './column';
import { LineSet, type LineBindings } from './lineSet';

/** `std`: mean ± standard deviation; otherwise the lowest and highest run. */
export type BandMode = 'minmax' | 'std';

export class BandSet extends LineSet {
  /** Per group, its band as a strip of pairs (x, low), (x, high). */
  readonly fills: LineSet;
  /** Per group and point, the low and high edge and the number of runs, for the hover. */
  readonly edges = new Map<string, { low: Float64Array; high: Float64Array; runs: Float64Array }>();

  constructor(bindings: LineBindings, readonly mode: BandMode) {
    super(bindings);
    this.fills = new LineSet(bindings);
  }

  override replace(batch: DataBatch): void {
    super.replace(batch);
    const column = (y: string): LineSet => {
      const s = new LineSet({ ...this.bindings, y });
      s.replace(batch);
      return s;
    };
    const [mins, maxs, stds, runs] = [column('y_min'), column('y_max'), column('y_std'), column('runs')];
    this.fills.lines.clear();
    this.edges.clear();
    for (const [key, line] of this.lines) {
      const x = line.x.values();
      const mean = line.y.values();
      const std = stds.lines.get(key)?.y.values() ?? new Float64Array(x.length);
      const low = this.mode === 'std' ? mean.map((m, i) => m - (std[i] as number)) : (mins.lines.get(key)?.y.values() ?? mean);
      const high = this.mode === 'std' ? mean.map((m, i) => m + (std[i] as number)) : (maxs.lines.get(key)?.y.values() ?? mean);
      const sx = new Float64Array(2 * x.length);
      const sy = new Float64Array(2 * x.length);
      for (let i = 0; i < x.length; i++) {
        sx[2 * i] = sx[2 * i + 1] = x[i] as number;
        sy[2 * i] = low[i] as number;
        sy[2 * i + 1] = high[i] as number;
      }
      this.fills.lines.set(key, { ...line, x: Column.from(sx), y: Column.from(sy), sorted: false });
      this.edges.set(key, { low: Float64Array.from(low), high: Float64Array.from(high), runs: Float64Array.from(runs.lines.get(key)?.y.values() ?? []) });
    }
    this.fills.version++;
  }

  /** A band's data change as a whole: appends come as a new load (reloadsOnAppend). */
  override append(batch: DataBatch): void {
    this.replace(batch);
  }
}
