/**
 * The lines one dataset of a line plot holds: one per run × group values, float64 x/y kept
 * sorted by x when the data allow. Three ways data come in, matching the three requests a
 * plot makes: a full load (replace), a zoomed-in reload of a range (splice the finer points
 * into the overview) and live rows after a sequence (append, re-reducing when a line grows).
 */
import { isCodes, type Codes, type ColumnData, type DataBatch } from '../api/arrowData';
import { Column } from './column';
import { isSorted, m4Reduce, spliceRange } from './m4';

export interface LineBindings {
  x: string;
  y: string;
  /** Grouping fields besides the run (the run always separates lines). */
  group: string[];
  color: string | null;
}

export interface Line {
  key: string;
  run: string;
  /** Group field → value, for the legend and the hover readout. */
  labels: [string, string][];
  colorValue: number | string | null;
  x: Column;
  y: Column;
  sorted: boolean;
  /** Bumped whenever existing points change (not on append): the GPU copy must be redone. */
  rev: number;
  /** Length after the last reduction: growth past it is the raw live tail. */
  reducedLength: number;
}

/** Line keys per row: runs of equal codes share one key, so keys are built once per run of rows. */
/** One line's rows of a batch. */
interface LinePart { key: string; run: string; labels: [string, string][]; color: number | string | null; x: Float64Array; y: Float64Array }

/** A line that holds just the rows of `p`. */
function newLine(p: LinePart): Line {
  return {
    key: p.key, run: p.run, labels: p.labels, colorValue: p.color,
    x: Column.from(p.x), y: Column.from(p.y), sorted: isSorted(p.x), rev: 0, reducedLength: p.x.length,
  };
}

function rowLines(batch: DataBatch, b: LineBindings): { index: Int32Array; keys: string[]; first: number[] } {
  const run = batch.columns.get('run');
  const parts: Codes[] = [];
  if (isCodes(run)) parts.push(run);
  for (const g of b.group) {
    const c = batch.columns.get(g);
    if (isCodes(c)) parts.push(c);
    else if (c) parts.push(numberCodes(c));
  }
  const n = batch.length;
  const index = new Int32Array(n);
  const keys: string[] = [];
  const first: number[] = [];
  const byKey = new Map<string, number>();
  let prev = -1;
  for (let i = 0; i < n; i++) {
    let same = i > 0;
    for (let p = 0; same && p < parts.length; p++) {
      const codes = (parts[p] as Codes).codes;
      same = codes[i] === codes[i - 1];
    }
    if (!same) {
      const key = parts.map((p) => p.values[p.codes[i] as number]).join('\u0000');
      let k = byKey.get(key);
      if (k === undefined) {
        k = keys.length;
        keys.push(key);
        first.push(i);
        byKey.set(key, k);
      }
      prev = k;
    }
    index[i] = prev;
  }
  return { index, keys, first };
}

function numberCodes(values: Float64Array): Codes {
  const codes = new Int32Array(values.length);
  const out: string[] = [];
  const map = new Map<number, number>();
  values.forEach((v, i) => {
    let c = map.get(v);
    if (c === undefined) {
      c = out.length;
      out.push(String(v));
      map.set(v, c);
    }
    codes[i] = c;
  });
  return { codes, values: out };
}

function valueAt(col: ColumnData | undefined, i: number): number | string | null {
  if (col === undefined) return null;
  if (isCodes(col)) return col.values[col.codes[i] as number] ?? null;
  return col[i] ?? null;
}

export class LineSet {
  readonly lines = new Map<string, Line>();
  /** Bumped on any change, so views know to redraw. */
  version = 0;

  constructor(readonly bindings: LineBindings) {}

  /** Splits a batch into per-line x/y arrays. */
  private split(batch: DataBatch): LinePart[] {
    const xs = batch.columns.get(this.bindings.x);
    const ys = batch.columns.get(this.bindings.y);
    if (!(xs instanceof Float64Array) || !(ys instanceof Float64Array)) return [];
    const { index, keys, first } = rowLines(batch, this.bindings);
    const counts = new Int32Array(keys.length);
    for (let i = 0; i < batch.length; i++) (counts[index[i] as number] as number)++;
    const out = keys.map((key, k) => {
      const row = first[k] as number;
      const run = String(valueAt(batch.columns.get('run'), row) ?? '');
      const labels: [string, string][] = this.bindings.group.map((g) => [g, String(valueAt(batch.columns.get(g), row))]);
      const color = this.bindings.color === null ? null : valueAt(batch.columns.get(this.bindings.color), row);
      const n = counts[k] as number;
      return { key, run, labels, color, x: new Float64Array(n), y: new Float64Array(n) };
    });
    const fill = new Int32Array(keys.length);
    for (let i = 0; i < batch.length; i++) {
      const k = index[i] as number;
      const at = fill[k] as number;
      const line = out[k];
      if (!line) continue;
      line.x[at] = xs[i] as number;
      line.y[at] = ys[i] as number;
      fill[k] = at + 1;
    }
    return out;
  }

  replace(batch: DataBatch): void {
    this.lines.clear();
    for (const p of this.split(batch)) this.lines.set(p.key, newLine(p));
    this.version++;
  }

  /** Puts finer data for [a, b] in place of what the lines hold there. */
  splice(batch: DataBatch, a: number, b: number): void {
    for (const p of this.split(batch)) {
      const line = this.lines.get(p.key);
      if (!line) {
        this.lines.set(p.key, newLine(p));
        continue;
      }
      if (!line.sorted || !isSorted(p.x)) continue; // ranges mean nothing unsorted: keep what we have
      const merged = spliceRange({ x: line.x.values(), y: line.y.values() }, p, a, b);
      line.x = Column.from(merged.x);
      line.y = Column.from(merged.y);
      line.reducedLength = line.x.length;
      line.rev++;
    }
    this.version++;
  }

  /**
   * Appends live rows. When a sorted line's raw tail grows past 4 points per pixel, the whole
   * line is M4-reduced to `pixels` columns again, so a run that logs for days stays as cheap to
   * draw as one that just started.
   */
  append(batch: DataBatch, pixels: number): void {
    for (const p of this.split(batch)) {
      const line = this.lines.get(p.key);
      if (!line) {
        this.lines.set(p.key, newLine(p));
        continue;
      }
      if (line.sorted && p.x.length > 0 && ((p.x[0] as number) < line.x.last() || !isSorted(p.x))) line.sorted = false;
      line.x.append(p.x);
      line.y.append(p.y);
      if (p.color !== null) line.colorValue = p.color;
      if (line.sorted && line.x.length - line.reducedLength > 4 * pixels) this.reduce(line, pixels);
    }
    this.version++;
  }

  private reduce(line: Line, pixels: number): void {
    const x = line.x.values();
    const r = m4Reduce(x, line.y.values(), x[0] as number, line.x.last(), pixels);
    line.x = Column.from(r.x);
    line.y = Column.from(r.y);
    line.reducedLength = line.x.length;
    line.rev++;
  }

  dropRun(run: string): boolean {
    let dropped = false;
    for (const [key, line] of this.lines) {
      if (line.run === run) {
        this.lines.delete(key);
        dropped = true;
      }
    }
    if (dropped) this.version++;
    return dropped;
  }

  pointCount(): number {
    let n = 0;
    for (const l of this.lines.values()) n += l.x.length;
    return n;
  }

  runs(): string[] {
    return [...new Set([...this.lines.values()].map((l) => l.run))];
  }
}
