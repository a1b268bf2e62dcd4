/**
 * The rectangles an aggregating plot draws (histogram, heatmap, bar, box): what the server
 * sent already added up (web/reduce_bins.py, reduce_cells.py), one row per bin, cell or box.
 * The shape is read from the columns sent, not from the kind's name:
 *
 * - `q1` … `whisker_high`: boxes (a box q1–q3, a median bar, whiskers, outlier ticks);
 * - `t_low` or `y_low`: cells on two axes, colored by `count` or `value`;
 * - otherwise bars on one axis (`bin_low` or `x_low`), `count` or `value` high, the parts
 *   (runs, split values) stacked in each bin.
 *
 * A new answer replaces everything: counts change as rows land, so the plot loads anew.
 */
import { isCodes, type ColumnData, type DataBatch } from '../api/arrowData';
import { sideBySide, toRidges } from './rectLayouts';

export interface RectBindings {
  /** The split fields after `run` (the color field for a histogram or bar). */
  keys: string[];
  color: string | null;
  /** What a `value` column holds: the request's aggregate (count when none). */
  aggregate: string;
  /**
   * A histogram over steps as `heatmap` (default), `distribution` (percentile bands) or
   * `ridgeline`; bars with a color `stack` (default) or `group` (side by side).
   */
  view?: string;
}

/** TensorBoard's distribution percentiles: the median and ±1, 1.5, 2 σ and the extremes. */
export const BAND_PERCENTILES = [0, 6.68, 15.87, 30.85, 50, 69.15, 84.13, 93.32, 100];

export type RectShape = 'bars' | 'cells' | 'boxes' | 'bands' | 'ridges';

export class RectSet {
  x0: Float64Array = new Float64Array(0);
  x1: Float64Array = new Float64Array(0);
  y0: Float64Array = new Float64Array(0);
  y1: Float64Array = new Float64Array(0);
  /** Per rect: the value colored on a continuous scale (cells), else NaN. */
  value: Float64Array = new Float64Array(0);
  /** Per rect: its part's color key (the color field's value, or the run). */
  colorKey: string[] = [];
  /** Per rect: the run and the read-outs of its hover. */
  runOf: string[] = [];
  readouts: [string, string][][] = [];
  shape: RectShape = 'bars';
  /** The runs of percentile bands, in the order their bands stand in a step bin. */
  private bandRuns: string[] = [];
  /** Tick labels of a category axis: position → label. */
  xLabels = new Map<number, string>();
  yLabels = new Map<number, string>();
  version = 0;

  constructor(readonly bindings: RectBindings) {}

  get length(): number {
    return this.x0.length;
  }

  replace(batch: DataBatch): void {
    const c = batch.columns;
    const num = (name: string): Float64Array | null => {
      const v = c.get(name);
      return v instanceof Float64Array ? v : null;
    };
    const text = (col: ColumnData | undefined, i: number): string => (col === undefined ? '' : isCodes(col) ? (col.values[col.codes[i] as number] ?? '') : String(col[i]));
    const runs = c.get('run');
    const keyCols = this.bindings.keys.map((k) => [k, c.get(k)] as const);
    const colorCol = this.bindings.color !== null && this.bindings.color !== 'run' ? c.get(this.bindings.color) : runs;
    const n = batch.length;
    const out = { x0: new Float64Array(n), x1: new Float64Array(n), y0: new Float64Array(n), y1: new Float64Array(n), value: new Float64Array(n).fill(NaN) };
    const readouts: [string, string][][] = [];
    const colorKey: string[] = [];
    const runOf: string[] = [];
    this.xLabels.clear();
    this.yLabels.clear();
    const xLabel = c.get('x_label');
    const yLabel = c.get('y_label');
    const tLow = num('t_low');
    const yLow = tLow ? num('bin_low') : num('y_low');
    const yHigh = tLow ? num('bin_high') : num('y_high');
    const xLo = tLow ?? num('x_low') ?? num('bin_low');
    const xHi = tLow ? num('t_high') : (num('x_high') ?? num('bin_high'));
    const height = num('count') ?? num('value');
    const measure = num('count') ? 'count' : this.bindings.aggregate;
    const q1 = num('q1');
    this.shape = q1 ? 'boxes' : yLow ? 'cells' : 'bars';
    const stackTop = new Map<string, number>(); // bin → height stacked so far
    for (let i = 0; i < n; i++) {
      const lo = xLo?.[i] ?? NaN;
      const hi = xHi?.[i] ?? NaN;
      const run = text(runs, i);
      const key = text(colorCol, i);
      const parts = keyCols.map(([k, col]) => [k, text(col, i)] as [string, string]);
      if (xLabel !== undefined) this.xLabels.set((lo + hi) / 2, text(xLabel, i));
      if (yLabel !== undefined) this.yLabels.set(((yLow?.[i] ?? NaN) + (yHigh?.[i] ?? NaN)) / 2, text(yLabel, i));
      runOf.push(run);
      colorKey.push(key);
      if (this.shape === 'cells') {
        out.x0[i] = lo;
        out.x1[i] = hi;
        out.y0[i] = yLow?.[i] ?? NaN;
        out.y1[i] = yHigh?.[i] ?? NaN;
        out.value[i] = height?.[i] ?? NaN;
        readouts.push([...parts, ['cell', `[${fmt(lo)}, ${fmt(hi)}) × [${fmt(out.y0[i] as number)}, ${fmt(out.y1[i] as number)})`], [measure, fmt(out.value[i] as number)]]);
      } else if (this.shape === 'bars') {
        const h = height?.[i] ?? 0;
        const bin = `${lo}`;
        const base = stackTop.get(bin) ?? 0;
        stackTop.set(bin, base + h);
        const inset = xLabel !== undefined ? 0.1 * (hi - lo) : 0; // bars apart, bins touching
        out.x0[i] = lo + inset;
        out.x1[i] = hi - inset;
        out.y0[i] = base;
        out.y1[i] = base + h;
        const where = xLabel !== undefined ? text(xLabel, i) : `[${fmt(lo)}, ${fmt(hi)})`;
        readouts.push([...parts, [xLabel !== undefined ? 'category' : 'bin', where], [measure, fmt(h)]]);
      } else {
        out.x0[i] = lo + 0.2 * (hi - lo);
        out.x1[i] = hi - 0.2 * (hi - lo);
        out.y0[i] = q1?.[i] ?? NaN;
        out.y1[i] = num('q3')?.[i] ?? NaN;
        const stat = (s: string): [string, string] => [s, fmt(num(s)?.[i] ?? NaN)];
        readouts.push([...parts, ['category', text(xLabel, i)], stat('median'), stat('q1'), stat('q3'), stat('whisker_low'), stat('whisker_high'), stat('count')]);
      }
    }
    Object.assign(this, out);
    this.readouts = readouts;
    this.colorKey = colorKey;
    this.runOf = runOf;
    if (this.shape === 'bars' && xLabel !== undefined && this.bindings.view === 'group') sideBySide(this, n, 0.1, true);
    if (this.shape === 'boxes') {
      sideBySide(this, n, 0.2, false); // boxes split by color: one per color value, side by side
      this.addBoxMarks(batch, n);
    }
    if (this.shape === 'cells' && tLow && this.bindings.view === 'distribution') this.toBands();
    if (this.shape === 'cells' && tLow && this.bindings.view === 'ridgeline') {
      toRidges(this);
      this.shape = 'ridges';
    }
    this.version++;
  }

  /** Medians, whiskers and outliers as thin rects after the boxes (drawn at least 1 px). */
  private addBoxMarks(batch: DataBatch, n: number): void {
    const get = (name: string): Float64Array => {
      const v = batch.columns.get(name);
      return v instanceof Float64Array ? v : new Float64Array(n).fill(NaN);
    };
    const [median, wlo, whi, q1, q3] = ['median', 'whisker_low', 'whisker_high', 'q1', 'q3'].map(get) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const marks: [number, number, number, number, number][] = []; // x0, x1, y0, y1, of box
    for (let i = 0; i < n; i++) {
      const a = this.x0[i] as number;
      const b = this.x1[i] as number;
      const mid = (a + b) / 2;
      marks.push([a, b, median[i] as number, median[i] as number, i]);
      marks.push([mid, mid, wlo[i] as number, q1[i] as number, i]);
      marks.push([mid, mid, q3[i] as number, whi[i] as number, i]);
    }
    // Outliers: a short tick each. A list column arrives as its text ("[1.5,9]").
    const outliers = batch.columns.get('outliers');
    for (let i = 0; i < n && outliers !== undefined && isCodes(outliers); i++) {
      const text = outliers.values[outliers.codes[i] as number] ?? '[]';
      const a = this.x0[i] as number;
      const b = this.x1[i] as number;
      for (const v of parseList(text)) marks.push([a + 0.35 * (b - a), b - 0.35 * (b - a), v, v, i]);
    }
    const grow = (arr: Float64Array, extra: number[]): Float64Array => {
      const out = new Float64Array(arr.length + extra.length);
      out.set(arr);
      out.set(extra, arr.length);
      return out;
    };
    this.x0 = grow(this.x0, marks.map((m) => m[0]));
    this.x1 = grow(this.x1, marks.map((m) => m[1]));
    this.y0 = grow(this.y0, marks.map((m) => m[2]));
    this.y1 = grow(this.y1, marks.map((m) => m[3]));
    this.value = grow(this.value, marks.map(() => NaN));
    for (const m of marks) {
      this.colorKey.push(`\u0000mark`);
      this.runOf.push(this.runOf[m[4]] ?? '');
      this.readouts.push(this.readouts[m[4]] ?? []);
    }
  }

  /**
   * Each run's counts per step bin as percentile bands (BAND_PERCENTILES), interpolated
   * within the value bins: TensorBoard's distributions view, one per run. The runs of a step
   * bin stand side by side in it (run r of R in its r-th R-th), so no run's bands hide
   * another's. Band k is colored by its distance from the median (colorKey
   * "\u0000band:<0..3>") in its run's color (rects.ts).
   */
  private toBands(): void {
    this.bandRuns = [...new Set(this.runOf)];
    const slot = new Map(this.bandRuns.map((r, i) => [r, i]));
    const slots = Math.max(1, this.bandRuns.length);
    const byStep = new Map<string, number[]>();
    for (let i = 0; i < this.length; i++) {
      const k = `${this.runOf[i] ?? ''}\u0000${this.x0[i] as number}`;
      const rows = byStep.get(k);
      if (rows) rows.push(i);
      else byStep.set(k, [i]);
    }
    // A run logged every k steps has data in every k-th step bin only: its bands reach to
    // its next step that has rows (TensorBoard joins them too), not stripes with gaps between.
    const reach = bandReach(byStep.values(), (i) => this.runOf[i] ?? '', (i) => this.x0[i] as number, (i) => this.x1[i] as number);
    const bands = BAND_PERCENTILES.length - 1;
    const out: { x0: number[]; x1: number[]; y0: number[]; y1: number[] } = { x0: [], x1: [], y0: [], y1: [] };
    const colorKey: string[] = [];
    const runOf: string[] = [];
    const readouts: [string, string][][] = [];
    for (const rows of byStep.values()) {
      rows.sort((a, b) => (this.y0[a] as number) - (this.y0[b] as number));
      const total = rows.reduce((sum, i) => sum + (this.value[i] as number), 0);
      const at = (p: number): number => {
        const target = (p / 100) * total;
        let seen = 0;
        for (const i of rows) {
          const c = this.value[i] as number;
          if (seen + c >= target && c > 0) return (this.y0[i] as number) + ((target - seen) / c) * ((this.y1[i] as number) - (this.y0[i] as number));
          seen += c;
        }
        return this.y1[rows[rows.length - 1] as number] as number;
      };
      const qs = BAND_PERCENTILES.map(at);
      const first = rows[0] as number;
      const run = this.runOf[first] ?? '';
      const lo = this.x0[first] as number;
      const width = (reach.get(first) ?? (this.x1[first] as number)) - lo;
      const r = slot.get(run) ?? 0;
      const readout: [string, string][] = [['step', `[${fmt(lo)}, ${fmt(this.x1[first] as number)})`], ...BAND_PERCENTILES.map((p, j) => [`p${p}`, fmt(qs[j] as number)] as [string, string]), ['count', fmt(total)]];
      for (let b = 0; b < bands; b++) {
        out.x0.push(lo + (width * r) / slots);
        out.x1.push(lo + (width * (r + 1)) / slots);
        out.y0.push(qs[b] as number);
        out.y1.push(qs[b + 1] as number);
        colorKey.push(`\u0000band:${Math.min(b, bands - 1 - b)}`);
        runOf.push(run);
        readouts.push(readout);
      }
    }
    this.x0 = Float64Array.from(out.x0);
    this.x1 = Float64Array.from(out.x1);
    this.y0 = Float64Array.from(out.y0);
    this.y1 = Float64Array.from(out.y1);
    this.value = new Float64Array(out.x0.length).fill(NaN);
    this.colorKey = colorKey;
    this.runOf = runOf;
    this.readouts = readouts;
    this.shape = 'bands';
  }

  append(batch: DataBatch): void {
    this.replace(batch);
  }

  dropRun(run: string): boolean {
    this.bandRuns = this.bandRuns.filter((r) => r !== run);
    const keep: number[] = [];
    for (let i = 0; i < this.length; i++) if (this.runOf[i] !== run) keep.push(i);
    if (keep.length === this.length) return false;
    const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (i) => a[i] as number);
    this.x0 = pick(this.x0);
    this.x1 = pick(this.x1);
    this.y0 = pick(this.y0);
    this.y1 = pick(this.y1);
    this.value = pick(this.value);
    this.colorKey = keep.map((i) => this.colorKey[i] as string);
    this.runOf = keep.map((i) => this.runOf[i] as string);
    this.readouts = keep.map((i) => this.readouts[i] ?? []);
    this.version++;
    return true;
  }

  runs(): string[] {
    return this.shape === 'bands' ? [...this.bandRuns] : [...new Set(this.runOf)];
  }
}

/** The numbers of a list column's text: "[1.5,9]" or "1.5,9"; nothing when it is not one. */
function parseList(text: string): number[] {
  return text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .filter((t) => t.trim() !== '')
    .map(Number)
    .filter(Number.isFinite);
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}

/**
 * Where each step bin's bands end, keyed by the bin's first row: at the start of the same
 * run's next bin with rows when that is further than the bin's own end (steps logged every
 * k steps), else at the bin's end.
 */
export function bandReach(
  groups: Iterable<number[]>, runOf: (i: number) => string, x0: (i: number) => number, x1: (i: number) => number,
): Map<number, number> {
  const byRun = new Map<string, number[]>();
  for (const rows of groups) {
    const first = rows[0];
    if (first === undefined) continue;
    const run = runOf(first);
    const list = byRun.get(run);
    if (list) list.push(first);
    else byRun.set(run, [first]);
  }
  const out = new Map<number, number>();
  for (const firsts of byRun.values()) {
    firsts.sort((a, b) => x0(a) - x0(b));
    firsts.forEach((f, j) => {
      const next = firsts[j + 1];
      out.set(f, next === undefined ? x1(f) : Math.max(x1(f), x0(next)));
    });
  }
  return out;
}
