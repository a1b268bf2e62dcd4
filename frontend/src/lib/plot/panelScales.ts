/**
 * What one plot's data span — per axis, and per dataset the values its color and size map —
 * and the union of a facet grid applied back to those datasets (see sharedScales.ts).
 */
import type { View } from '../render/layers';
import type { AxisPair } from './axisViews';
import type { DatasetState } from './dataset';
import type { ScaleDomains } from './sharedScales';
import { emptyExtent, extendExtent, type Extent } from './viewState';

/** A dataset where its plot draws it: its axes, their view, its index in the spec. */
export interface Placed {
  ds: DatasetState;
  pair: AxisPair;
  view: View;
  slot: number;
}

/** The extent of everything on the main axes (`second` false) or the second ones, in scale space. */
export function dataExtent(placed: Placed[], second: boolean): Extent {
  const e = emptyExtent();
  for (const { ds, pair, view: v } of placed) {
    const d = emptyExtent();
    const lines = ds.painter.shownLines?.(ds) ?? ds.lines;
    if (lines) for (const l of lines.lines.values()) extendExtent(d, l.x.values(), l.y.values(), v.logX, v.logY);
    if (ds.points) extendExtent(d, ds.points.x.values(), ds.points.y.values(), v.logX, v.logY);
    const shown = ds.painter.shownPoints?.(ds);
    if (shown) extendExtent(d, shown.x, shown.y, v.logX, v.logY);
    if (ds.rects) {
      extendExtent(d, ds.rects.x0, ds.rects.y0, v.logX, v.logY);
      extendExtent(d, ds.rects.x1, ds.rects.y1, v.logX, v.logY);
    }
    if (ds.painter.fromZero && !v.logY && Number.isFinite(d.y0)) {
      d.y0 = Math.min(d.y0, 0);
      d.y1 = Math.max(d.y1, 0);
    }
    if ((pair.x === 'x2') === second) {
      e.x0 = Math.min(e.x0, d.x0);
      e.x1 = Math.max(e.x1, d.x1);
    }
    if ((pair.y === 'y2') === second) {
      e.y0 = Math.min(e.y0, d.y0);
      e.y1 = Math.max(e.y1, d.y1);
    }
  }
  return e;
}

/** What a facet panel reports to its grid; `count` is the number of datasets in the spec. */
export function panelDomains(placed: Placed[], count: number): ScaleDomains {
  const color: ScaleDomains['color'] = Array.from({ length: count }, () => null);
  const size: ScaleDomains['size'] = Array.from({ length: count }, () => null);
  for (const { ds, slot } of placed) {
    color[slot] = ds.ownColorDomain();
    size[slot] = ds.ownSizeDomain();
  }
  return { main: dataExtent(placed, false), second: dataExtent(placed, true), color, size };
}

/** Makes each dataset map colors and sizes by the grid's domains. */
export function useSharedDomains(placed: Placed[], union: ScaleDomains): void {
  for (const { ds, slot } of placed) {
    ds.color.shared = union.color[slot] ?? null;
    ds.sharedSize = union.size[slot] ?? null;
  }
}
