/**
 * The points one dataset of a scatter plot holds: float64 x/y, and per point the run, the
 * color value (a number, or a category code) and the size value. Appends grow the columns;
 * dropping a run compacts them.
 */
import { isCodes, type DataBatch } from '../api/arrowData';
import { Column } from './column';

export interface PointBindings {
  x: string;
  y: string;
  color: string | null;
  size: string | null;
}

export class PointSet {
  x = new Column();
  y = new Column();
  /** Index into `runNames` per point. */
  run = new Column();
  /** Numeric color values, or category codes into `colorNames` when the field is categorical. */
  color = new Column();
  size = new Column();
  runNames: string[] = [];
  colorNames: string[] = [];
  colorCategorical = false;
  /** Bumped when existing points change; appends only grow the length. */
  rev = 0;
  version = 0;
  private runIndex = new Map<string, number>();
  private colorIndex = new Map<string, number>();

  constructor(readonly bindings: PointBindings) {}

  get length(): number {
    return this.x.length;
  }

  replace(batch: DataBatch): void {
    for (const c of [this.x, this.y, this.run, this.color, this.size]) c.clear();
    this.runNames = [];
    this.runIndex.clear();
    this.colorNames = [];
    this.colorIndex.clear();
    this.rev++;
    this.append(batch);
  }

  append(batch: DataBatch): void {
    const xs = batch.columns.get(this.bindings.x);
    const ys = batch.columns.get(this.bindings.y);
    if (!(xs instanceof Float64Array) || !(ys instanceof Float64Array)) return;
    this.x.append(xs);
    this.y.append(ys);
    const runs = batch.columns.get('run');
    this.appendCodes(runs, batch.length, this.run, this.runNames, this.runIndex);
    const cname = this.bindings.color;
    const color = cname === null ? undefined : batch.columns.get(cname);
    if (color instanceof Float64Array) this.color.append(color);
    else if (color !== undefined) {
      this.colorCategorical = true;
      this.appendCodes(color, batch.length, this.color, this.colorNames, this.colorIndex);
    } else for (let i = 0; i < batch.length; i++) this.color.push(0);
    const sname = this.bindings.size;
    const size = sname === null ? undefined : batch.columns.get(sname);
    if (size instanceof Float64Array) this.size.append(size);
    else for (let i = 0; i < batch.length; i++) this.size.push(0);
    this.version++;
  }

  private appendCodes(
    col: ReturnType<DataBatch['columns']['get']>,
    n: number,
    into: Column,
    names: string[],
    index: Map<string, number>,
  ): void {
    if (!isCodes(col)) {
      for (let i = 0; i < n; i++) into.push(0);
      if (names.length === 0) names.push('');
      return;
    }
    // Batch codes → codes of this set, so categories keep their colors across batches.
    const map = col.values.map((v) => {
      let c = index.get(v);
      if (c === undefined) {
        c = names.length;
        names.push(v);
        index.set(v, c);
      }
      return c;
    });
    for (let i = 0; i < n; i++) into.push(map[col.codes[i] as number] as number);
  }

  dropRun(run: string): boolean {
    const code = this.runIndex.get(run);
    if (code === undefined) return false;
    const keep: number[] = [];
    const r = this.run.values();
    for (let i = 0; i < r.length; i++) if (r[i] !== code) keep.push(i);
    for (const key of ['x', 'y', 'run', 'color', 'size'] as const) {
      const old = this[key].values();
      const next = new Column(keep.length);
      for (const i of keep) next.push(old[i] as number);
      this[key] = next;
    }
    this.rev++;
    this.version++;
    return true;
  }

  runs(): string[] {
    const present = new Set(this.run.values());
    return this.runNames.filter((_, i) => present.has(i));
  }
}
