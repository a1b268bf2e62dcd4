/**
 * The scales the facet panels of one plot share, as ggplot's facet_wrap and Vega-Lite do by
 * default: small multiples are for comparing panels, which only works when the same position
 * or color means the same value in each. Every panel reports what its own data span; every
 * panel fits its auto range and maps colors and sizes by the union. A plot drawn alone has no
 * SharedScales and uses its own extents.
 */
import { emptyExtent, type Extent } from './viewState';

/** [min, max] of a continuous scale's values. */
export type Domain = [number, number];

export interface ScaleDomains {
  /** The data extent on the main axes (x, y), in scale space (log10 on a log axis). */
  main: Extent;
  /** The same on the second axes of a hybrid plot (x2 as x, y2 as y). */
  second: Extent;
  /**
   * Per dataset of the spec, by its index there: the continuous color domain, and the size
   * domain. Keyed by index, not by field, so two datasets of one panel keep their own scales
   * exactly as a plot alone does.
   */
  color: (Domain | null)[];
  size: (Domain | null)[];
}

export interface SharedChange {
  /** An axis' union moved: panels that follow the data fit again. */
  axes: boolean;
  /** A color or size domain moved: panels draw their data again. */
  styles: boolean;
}

export function emptyDomains(): ScaleDomains {
  return { main: emptyExtent(), second: emptyExtent(), color: [], size: [] };
}

function unionExtent(a: Extent, b: Extent): Extent {
  return { x0: Math.min(a.x0, b.x0), x1: Math.max(a.x1, b.x1), y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1) };
}

function unionDomain(a: Domain | null | undefined, b: Domain | null | undefined): Domain | null {
  const ok = (d: Domain | null | undefined): d is Domain => !!d && Number.isFinite(d[0]) && Number.isFinite(d[1]) && d[0] <= d[1];
  if (!ok(a)) return ok(b) ? [b[0], b[1]] : null;
  if (!ok(b)) return [a[0], a[1]];
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

function unionList(a: (Domain | null)[], b: (Domain | null)[]): (Domain | null)[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => unionDomain(a[i], b[i]));
}

/** The union of what every panel spans; a panel with no data yet adds nothing. */
export function unionDomains(all: Iterable<ScaleDomains>): ScaleDomains {
  let u = emptyDomains();
  for (const d of all) {
    u = { main: unionExtent(u.main, d.main), second: unionExtent(u.second, d.second), color: unionList(u.color, d.color), size: unionList(u.size, d.size) };
  }
  return u;
}

function sameExtent(a: Extent, b: Extent): boolean {
  return a.x0 === b.x0 && a.x1 === b.x1 && a.y0 === b.y0 && a.y1 === b.y1;
}

function sameList(a: (Domain | null)[], b: (Domain | null)[]): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const p = a[i] ?? null;
    const q = b[i] ?? null;
    if (p === null || q === null ? p !== q : p[0] !== q[0] || p[1] !== q[1]) return false;
  }
  return true;
}

/** What differs between two unions. */
export function changeBetween(a: ScaleDomains, b: ScaleDomains): SharedChange {
  return {
    axes: !sameExtent(a.main, b.main) || !sameExtent(a.second, b.second),
    styles: !sameList(a.color, b.color) || !sameList(a.size, b.size),
  };
}

/** One per facet grid (PlotPanel); every panel of the grid joins it. */
export class SharedScales {
  private reports = new Map<object, ScaleDomains>();
  private members = new Map<object, (c: SharedChange) => void>();
  private current = emptyDomains();

  /** The union of every panel's report. */
  get union(): ScaleDomains {
    return this.current;
  }

  /**
   * Adds a panel. `changed` runs when the union moves because of another panel (a panel that
   * reports applies the union itself, in the same turn). Returns `leave`, which also takes
   * the panel's data out of the union.
   */
  join(panel: object, changed: (c: SharedChange) => void): () => void {
    this.members.set(panel, changed);
    return () => {
      this.members.delete(panel);
      if (this.reports.delete(panel)) this.update(panel);
    };
  }

  /** What `panel` spans now (it replaces the panel's previous report). */
  report(panel: object, d: ScaleDomains): void {
    this.reports.set(panel, d);
    this.update(panel);
  }

  private update(from: object): void {
    const next = unionDomains(this.reports.values());
    const change = changeBetween(this.current, next);
    this.current = next;
    if (!change.axes && !change.styles) return;
    for (const [panel, fn] of [...this.members]) if (panel !== from) fn(change);
  }
}
