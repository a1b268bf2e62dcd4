/**
 * The points of a scatter as drawn (lib/plot/painters/scatter.ts): without the color
 * categories toggled off in the legend, and with a continuous color field that spans
 * decades as log10 (palette.ts `wantsLog`, the scale its color bar says). The dataset keeps
 * every point; this derived set is made again only when the points, the hidden categories
 * or the log choice change, so a frame that changes nothing re-uploads nothing.
 */
import { Column } from './column';
import { PointSet } from './pointSet';

/** How points are shown: the category codes hidden (into `colorNames`), and log color. */
export interface PointFilter {
  hidden: ReadonlySet<number>;
  logColor: boolean;
}

interface Cached {
  rev: number;
  length: number;
  key: string;
  out: PointSet;
}

const cache = new WeakMap<PointSet, Cached>();

function keyOf(f: PointFilter): string {
  return `${f.logColor ? 'log' : 'lin'}|${[...f.hidden].sort((a, b) => a - b).join(',')}`;
}

/** `pts` as drawn under `f`: `pts` itself when nothing is hidden or log-scaled. */
export function shownPoints(pts: PointSet, f: PointFilter): PointSet {
  if (f.hidden.size === 0 && !f.logColor) return pts;
  const key = keyOf(f);
  const hit = cache.get(pts);
  if (hit && hit.rev === pts.rev && hit.length === pts.length && hit.key === key) return hit.out;
  const out = new PointSet(pts.bindings);
  out.runNames = pts.runNames;
  out.colorNames = pts.colorNames;
  out.colorCategorical = pts.colorCategorical;
  const cv = pts.color.values();
  const keep = (i: number): boolean => !(pts.colorCategorical && f.hidden.has(cv[i] as number));
  const columns = ['x', 'y', 'run', 'color', 'size'] as const;
  const src = columns.map((c) => pts[c].values());
  const dst = columns.map(() => new Column(pts.length));
  for (let i = 0; i < pts.length; i++) {
    if (!keep(i)) continue;
    src.forEach((values, k) => (dst[k] as Column).push(values[i] as number));
  }
  columns.forEach((c, k) => (out[c] = dst[k] as Column));
  if (f.logColor && !pts.colorCategorical) {
    const c = out.color.values();
    for (let i = 0; i < c.length; i++) c[i] = (c[i] as number) > 0 ? Math.log10(c[i] as number) : NaN;
  }
  out.rev = (hit?.out.rev ?? 0) + 1;
  cache.set(pts, { rev: pts.rev, length: pts.length, key, out });
  return out;
}
