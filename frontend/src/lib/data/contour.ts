/**
 * Iso-lines of z over a grid by marching squares, for the contour kind (painters/contour.ts).
 *
 * A grid is the server's `grid` reduction of one run (web/reduce_3d.py): nx node x values,
 * ny node y values and z per node, row by row (z[j * nx + i] at x[i], y[j]); NaN where a
 * binned cell had no row, and a cell with a NaN corner draws nothing. Each cell crossed by
 * a level gives one or two segments whose ends lie on the cell's edges; ends on a shared
 * edge are the same point, so segments are chained by edge into polylines (closed ones end
 * where they start) that a line strip draws without gaps.
 */

export interface Grid {
  x: Float64Array;
  y: Float64Array;
  /** Per node, row by row: z[j * x.length + i]. */
  z: Float64Array;
}

export interface Polyline {
  x: Float64Array;
  y: Float64Array;
}

/** n levels evenly inside (lo, hi), none on the ends: lo + (hi - lo) k / (n + 1). */
export function contourLevels(lo: number, hi: number, n: number): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo || n < 1) return [];
  return Array.from({ length: n }, (_, k) => lo + ((hi - lo) * (k + 1)) / (n + 1));
}

/** The band of z value v among sorted levels: how many levels are at or below it. */
export function bandOf(v: number, levels: readonly number[]): number {
  let lo = 0;
  let hi = levels.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((levels[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The polylines where z crosses `level`. Edge ids: 2 (j nx + i) is the edge from node (i, j)
 * to (i + 1, j), one more the edge from (i, j) to (i, j + 1).
 */
export function isoLines(g: Grid, level: number): Polyline[] {
  const nx = g.x.length;
  const ny = g.y.length;
  const z = g.z;
  const px = new Map<number, number>();
  const py = new Map<number, number>();
  const links = new Map<number, number[]>();
  const above = (i: number, j: number): boolean => (z[j * nx + i] as number) >= level;
  const point = (e: number): void => {
    if (px.has(e)) return;
    const node = e >> 1;
    const i = node % nx;
    const j = (node - i) / nx;
    const [i2, j2] = e & 1 ? [i, j + 1] : [i + 1, j];
    const za = z[j * nx + i] as number;
    const zb = z[j2 * nx + i2] as number;
    const t = (level - za) / (zb - za);
    px.set(e, (g.x[i] as number) + t * ((g.x[i2] as number) - (g.x[i] as number)));
    py.set(e, (g.y[j] as number) + t * ((g.y[j2] as number) - (g.y[j] as number)));
  };
  const link = (a: number, b: number): void => {
    point(a);
    point(b);
    const la = links.get(a);
    if (la) la.push(b);
    else links.set(a, [b]);
    const lb = links.get(b);
    if (lb) lb.push(a);
    else links.set(b, [a]);
  };
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const za = z[j * nx + i] as number;
      const zb = z[j * nx + i + 1] as number;
      const zc = z[(j + 1) * nx + i + 1] as number;
      const zd = z[(j + 1) * nx + i] as number;
      if (!(Number.isFinite(za) && Number.isFinite(zb) && Number.isFinite(zc) && Number.isFinite(zd))) continue;
      const a = above(i, j);
      const b = above(i + 1, j);
      const c = above(i + 1, j + 1);
      const d = above(i, j + 1);
      const bottom = 2 * (j * nx + i);
      const left = bottom + 1;
      const top = 2 * ((j + 1) * nx + i);
      const right = 2 * (j * nx + i + 1) + 1;
      const cut: number[] = [];
      if (a !== b) cut.push(bottom);
      if (b !== c) cut.push(right);
      if (c !== d) cut.push(top);
      if (d !== a) cut.push(left);
      if (cut.length === 2) link(cut[0] as number, cut[1] as number);
      else if (cut.length === 4) {
        // A saddle: the corners on the center's side are joined through it, so the
        // segments cut off the other two corners.
        const center = (za + zb + zc + zd) / 4 >= level;
        if (b !== center) {
          link(bottom, right);
          link(top, left);
        } else {
          link(left, bottom);
          link(right, top);
        }
      }
    }
  }
  return chain(links, px, py);
}

/** Walks the links into polylines: open ones from their ends first, then closed loops. */
function chain(links: Map<number, number[]>, px: Map<number, number>, py: Map<number, number>): Polyline[] {
  const used = new Set<number>();
  const out: Polyline[] = [];
  const walk = (start: number): void => {
    const path = [start];
    used.add(start);
    let prev = -1;
    let at = start;
    for (;;) {
      const next = (links.get(at) ?? []).find((n) => n !== prev && !used.has(n));
      if (next === undefined) {
        // A closed loop: its last point links back to the first.
        if (path.length > 2 && (links.get(at) ?? []).includes(start)) path.push(start);
        break;
      }
      path.push(next);
      used.add(next);
      prev = at;
      at = next;
    }
    out.push({ x: Float64Array.from(path, (e) => px.get(e) as number), y: Float64Array.from(path, (e) => py.get(e) as number) });
  };
  for (const [e, l] of links) if (l.length === 1 && !used.has(e)) walk(e);
  for (const e of links.keys()) if (!used.has(e)) walk(e);
  return out;
}

/** The edges of the cells around n sorted node coordinates: midway between nodes, half a gap past the ends. */
export function nodeEdges(c: Float64Array): Float64Array {
  const n = c.length;
  const out = new Float64Array(n + 1);
  if (n === 0) return out;
  if (n === 1) {
    out[0] = (c[0] as number) - 0.5;
    out[1] = (c[0] as number) + 0.5;
    return out;
  }
  for (let k = 1; k < n; k++) out[k] = ((c[k - 1] as number) + (c[k] as number)) / 2;
  out[0] = (c[0] as number) - ((c[1] as number) - (c[0] as number)) / 2;
  out[n] = (c[n - 1] as number) + ((c[n - 1] as number) - (c[n - 2] as number)) / 2;
  return out;
}
