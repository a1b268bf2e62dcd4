/**
 * One dataset of a mesh plot: its vertices (x, y, z per row) or its faces (i, j, k per row:
 * row numbers, from 0, of the same run's vertices), kept per run in row order. Which one is
 * decided by the bindings: a dataset binding x is the vertices.
 */
import { isCodes, type DataBatch } from '../api/arrowData';
import { Column } from './column';

export class MeshPart {
  /** Per run: three columns (x, y, z or i, j, k). */
  readonly byRun = new Map<string, [Column, Column, Column]>();
  rev = 0;

  constructor(
    readonly role: 'vertices' | 'faces',
    readonly names: [string, string, string],
  ) {}

  replace(batch: DataBatch): void {
    this.byRun.clear();
    this.append(batch);
  }

  append(batch: DataBatch): void {
    const cols = this.names.map((n) => batch.columns.get(n));
    const [a, b, c] = cols;
    if (!(a instanceof Float64Array && b instanceof Float64Array && c instanceof Float64Array)) return;
    const runs = batch.columns.get('run');
    for (let r = 0; r < batch.length; r++) {
      const run = isCodes(runs) ? (runs.values[runs.codes[r] as number] ?? '') : '';
      let held = this.byRun.get(run);
      if (!held) this.byRun.set(run, (held = [new Column(), new Column(), new Column()]));
      held[0].push(a[r] as number);
      held[1].push(b[r] as number);
      held[2].push(c[r] as number);
    }
    this.rev++;
  }

  dropRun(run: string): boolean {
    const had = this.byRun.delete(run);
    if (had) this.rev++;
    return had;
  }

  runs(): string[] {
    return [...this.byRun.keys()];
  }
}

/** The triangles of a mesh: vertex positions (data units) and corner indices into them. */
export interface MeshTriangles {
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  index: Uint32Array;
}

/**
 * Joins faces to vertices run by run (faces of a run the vertices dataset lacks use its only
 * run, when it has one: a fixed topology logged once). Faces naming a row that does not
 * exist, or not a whole number, are left out.
 */
export function joinMesh(vertices: MeshPart, faces: MeshPart): MeshTriangles {
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  const index: number[] = [];
  const only = vertices.byRun.size === 1 ? [...vertices.byRun.values()][0] : undefined;
  const placed = new Map<[Column, Column, Column], number>();
  for (const [run, [fi, fj, fk]] of faces.byRun) {
    const v = vertices.byRun.get(run) ?? only;
    if (!v) continue;
    let base = placed.get(v);
    if (base === undefined) {
      base = xs.length;
      placed.set(v, base);
      xs.push(...v[0].values());
      ys.push(...v[1].values());
      zs.push(...v[2].values());
    }
    const n = v[0].length;
    const ok = (k: number): boolean => Number.isInteger(k) && k >= 0 && k < n;
    const a = fi.values();
    const b = fj.values();
    const c = fk.values();
    for (let t = 0; t < a.length; t++) {
      const i = a[t] as number;
      const j = b[t] as number;
      const k = c[t] as number;
      if (ok(i) && ok(j) && ok(k)) index.push(base + i, base + j, base + k);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), z: Float64Array.from(zs), index: Uint32Array.from(index) };
}
