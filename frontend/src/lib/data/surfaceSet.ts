/**
 * The grid nodes of a surface (the server's `grid` reduction, web/reduce_3d.py): per node
 * its x, y, z, run, and its column `grid_i` and row `grid_j`; and the triangles joining
 * them, two per grid cell whose four corners have a z.
 */
import { isCodes, type DataBatch } from '../api/arrowData';

export interface SurfaceBindings {
  x: string;
  y: string;
  z: string;
}

export class SurfaceSet {
  x: Float64Array = new Float64Array(0);
  y: Float64Array = new Float64Array(0);
  z: Float64Array = new Float64Array(0);
  /** Per node, its run's index into `runNames`. */
  run: Int32Array = new Int32Array(0);
  runNames: string[] = [];
  /** Vertex indices, three per triangle. */
  index: Uint32Array = new Uint32Array(0);
  /** Bumped on each change. */
  rev = 0;

  constructor(readonly bindings: SurfaceBindings) {}

  get length(): number {
    return this.x.length;
  }

  replace(batch: DataBatch): void {
    const { x, y, z } = this.bindings;
    const cols = [batch.columns.get(x), batch.columns.get(y), batch.columns.get(z), batch.columns.get('grid_i'), batch.columns.get('grid_j')];
    const [xs, ys, zs, gi, gj] = cols;
    if (!(xs instanceof Float64Array && ys instanceof Float64Array && zs instanceof Float64Array && gi instanceof Float64Array && gj instanceof Float64Array)) {
      this.set(new Float64Array(0), new Float64Array(0), new Float64Array(0), new Int32Array(0), [], new Float64Array(0), new Float64Array(0));
      return;
    }
    const runs = batch.columns.get('run');
    const run = new Int32Array(batch.length);
    let names: string[] = [''];
    if (isCodes(runs)) {
      run.set(runs.codes);
      names = runs.values;
    }
    this.set(xs, ys, zs, run, names, gi, gj);
  }

  /** A surface is what its rows add up to: new rows come as a new load (reloadsOnAppend). */
  append(batch: DataBatch): void {
    this.replace(batch);
  }

  private set(x: Float64Array, y: Float64Array, z: Float64Array, run: Int32Array, names: string[], gi: Float64Array, gj: Float64Array): void {
    this.x = x;
    this.y = y;
    this.z = z;
    this.run = run;
    this.runNames = names;
    this.index = triangulate(z, run, gi, gj);
    this.rev++;
  }

  dropRun(name: string): boolean {
    const code = this.runNames.indexOf(name);
    if (code < 0 || !this.run.includes(code)) return false;
    const keep = (v: number): boolean => v !== code;
    const kept: number[] = [];
    this.run.forEach((r, i) => keep(r) && kept.push(i));
    const pick = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const out = make(kept.length);
      kept.forEach((k, i) => (out[i] = a[k] as number));
      return out;
    };
    // The grid positions are rebuilt from the kept nodes' order: the triangles of the
    // other runs survive because each run's nodes keep their relative order.
    const tris: number[] = [];
    const newIndex = new Int32Array(this.x.length).fill(-1);
    kept.forEach((k, i) => (newIndex[k] = i));
    for (let t = 0; t < this.index.length; t += 3) {
      const a = newIndex[this.index[t] as number] as number;
      const b = newIndex[this.index[t + 1] as number] as number;
      const c = newIndex[this.index[t + 2] as number] as number;
      if (a >= 0 && b >= 0 && c >= 0) tris.push(a, b, c);
    }
    this.x = pick(this.x, (n) => new Float64Array(n));
    this.y = pick(this.y, (n) => new Float64Array(n));
    this.z = pick(this.z, (n) => new Float64Array(n));
    this.run = pick(this.run, (n) => new Int32Array(n));
    this.index = Uint32Array.from(tris);
    this.rev++;
    return true;
  }

  runs(): string[] {
    const present = new Set(this.run);
    return this.runNames.filter((_, i) => present.has(i));
  }
}

/** Two triangles per grid cell (per run) whose four corners are present and have a finite z. */
export function triangulate(z: Float64Array, run: Int32Array, gi: Float64Array, gj: Float64Array): Uint32Array {
  const at = new Map<string, number>();
  for (let v = 0; v < z.length; v++) at.set(`${run[v]}/${gi[v]}/${gj[v]}`, v);
  const out: number[] = [];
  for (let v = 0; v < z.length; v++) {
    const r = run[v] as number;
    const i = gi[v] as number;
    const j = gj[v] as number;
    const b = at.get(`${r}/${i + 1}/${j}`);
    const c = at.get(`${r}/${i + 1}/${j + 1}`);
    const d = at.get(`${r}/${i}/${j + 1}`);
    if (b === undefined || c === undefined || d === undefined) continue;
    if (![v, b, c, d].every((k) => Number.isFinite(z[k] as number))) continue;
    out.push(v, b, c, v, c, d);
  }
  return Uint32Array.from(out);
}
