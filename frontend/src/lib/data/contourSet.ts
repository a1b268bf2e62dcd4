/**
 * The grids of a contour plot's dataset: the server's `grid` reduction (web/reduce_3d.py)
 * sends one row per grid node with its column `grid_i` and row `grid_j`; each run's nodes
 * are put back into a Grid (lib/data/contour.ts) for marching squares. The flat node
 * columns stay for the axes' extent and the hover.
 */
import { isCodes, type DataBatch } from '../api/arrowData';
import type { Grid } from './contour';

export interface ContourBindings {
  x: string;
  y: string;
  z: string;
}

export interface RunGrid extends Grid {
  run: string;
}

export class ContourSet {
  x: Float64Array = new Float64Array(0);
  y: Float64Array = new Float64Array(0);
  z: Float64Array = new Float64Array(0);
  /** Per node, its run's name. */
  runOf: string[] = [];
  grids: RunGrid[] = [];
  /** Bumped on each change. */
  rev = 0;

  constructor(
    readonly bindings: ContourBindings,
    /** Iso-lines drawn (PlotSpec.levels). */
    readonly levels: number,
    /** Bands between levels filled (PlotSpec.filled). */
    readonly filled: boolean,
  ) {}

  replace(batch: DataBatch): void {
    const { x, y, z } = this.bindings;
    const [xs, ys, zs, gi, gj] = [x, y, z, 'grid_i', 'grid_j'].map((c) => batch.columns.get(c));
    const empty = new Float64Array(0);
    if (!(xs instanceof Float64Array && ys instanceof Float64Array && zs instanceof Float64Array && gi instanceof Float64Array && gj instanceof Float64Array)) {
      this.set(empty, empty, empty, [], []);
      return;
    }
    const runs = batch.columns.get('run');
    const runOf = Array.from({ length: batch.length }, (_, k) => (isCodes(runs) ? (runs.values[runs.codes[k] as number] ?? '') : ''));
    this.set(xs, ys, zs, runOf, gridsOf(xs, ys, zs, runOf, gi, gj));
  }

  /** A grid is what its rows add up to: new rows come as a new load (reloadsOnAppend). */
  append(batch: DataBatch): void {
    this.replace(batch);
  }

  private set(x: Float64Array, y: Float64Array, z: Float64Array, runOf: string[], grids: RunGrid[]): void {
    this.x = x;
    this.y = y;
    this.z = z;
    this.runOf = runOf;
    this.grids = grids;
    this.rev++;
  }

  dropRun(name: string): boolean {
    if (!this.runOf.includes(name)) return false;
    const kept = this.runOf.flatMap((r, k) => (r === name ? [] : [k]));
    const pick = (a: Float64Array): Float64Array => Float64Array.from(kept, (k) => a[k] as number);
    this.set(pick(this.x), pick(this.y), pick(this.z), kept.map((k) => this.runOf[k] as string), this.grids.filter((g) => g.run !== name));
    return true;
  }

  runs(): string[] {
    return this.grids.map((g) => g.run);
  }
}

/** Each run's nodes as a grid: x per column, y per row, z row by row (NaN where none came). */
function gridsOf(xs: Float64Array, ys: Float64Array, zs: Float64Array, runOf: string[], gi: Float64Array, gj: Float64Array): RunGrid[] {
  const byRun = new Map<string, number[]>();
  runOf.forEach((r, k) => {
    const l = byRun.get(r);
    if (l) l.push(k);
    else byRun.set(r, [k]);
  });
  const out: RunGrid[] = [];
  for (const [run, rows] of byRun) {
    let nx = 0;
    let ny = 0;
    for (const k of rows) {
      nx = Math.max(nx, (gi[k] as number) + 1);
      ny = Math.max(ny, (gj[k] as number) + 1);
    }
    const g: RunGrid = { run, x: new Float64Array(nx), y: new Float64Array(ny), z: new Float64Array(nx * ny).fill(NaN) };
    for (const k of rows) {
      const i = gi[k] as number;
      const j = gj[k] as number;
      g.x[i] = xs[k] as number;
      g.y[j] = ys[k] as number;
      g.z[j * nx + i] = zs[k] as number;
    }
    out.push(g);
  }
  return out;
}
