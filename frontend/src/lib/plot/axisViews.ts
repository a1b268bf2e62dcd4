/**
 * The axes of a hybrid plot: a dataset may put its x on a second axis at the top (`x2`) or
 * its y on a second axis at the right (`y2`), each with its own range, scale, pan and zoom.
 * The main axes are the plot's `view`; both second axes live in one more View (`second`:
 * its x is x2, its y is y2), so panning and zooming reuse viewState's arithmetic.
 */
import type { DatasetSpec, PlotSpec } from '../api/types';
import type { View } from '../render/layers';
import { MARGINS, type Margins } from './axes';
import { pan, zoomAt } from './viewState';

export type AxisId = 'x' | 'y' | 'x2' | 'y2';

export interface AxisPair {
  x: 'x' | 'x2';
  y: 'y' | 'y2';
}

export function axesOf(ds: DatasetSpec): AxisPair {
  return { x: ds.axes?.x === 'x2' ? 'x2' : 'x', y: ds.axes?.y === 'y2' ? 'y2' : 'y' };
}

export function pairKey(p: AxisPair): string {
  return `${p.x}/${p.y}`;
}

/** The view a dataset on axes `p` is drawn in. */
export function viewFor(main: View, second: View, p: AxisPair): View {
  const sx = p.x === 'x2' ? second : main;
  const sy = p.y === 'y2' ? second : main;
  return { x0: sx.x0, x1: sx.x1, logX: sx.logX, y0: sy.y0, y1: sy.y1, logY: sy.logY };
}

/** Room for the second axes' ticks and titles. */
export function marginsFor(hasX2: boolean, hasY2: boolean): Margins {
  return { ...MARGINS, top: hasX2 ? 40 : MARGINS.top, right: hasY2 ? 64 : MARGINS.right };
}

export function secondScales(spec: PlotSpec): { logX: boolean; logY: boolean } {
  return { logX: spec.scales?.x2 === 'log', logY: spec.scales?.y2 === 'log' };
}

/**
 * Which axis a pointer at (x, y) — CSS pixels from the data area's top-left, `w` × `h` — is
 * over: null inside the data area (every axis moves), else the axis whose margin it is in.
 */
export function axisAt(x: number, y: number, w: number, h: number, hasX2: boolean, hasY2: boolean): AxisId | null | 'none' {
  const inX = x >= 0 && x <= w;
  const inY = y >= 0 && y <= h;
  if (inX && inY) return null;
  if (inX && y > h) return 'x';
  if (inX && y < 0) return hasX2 ? 'x2' : 'none';
  if (inY && x < 0) return 'y';
  if (inY && x > w) return hasY2 ? 'y2' : 'none';
  return 'none';
}

/** Pans by a pixel delta: every axis, or only `axis`. Returns the main and the second view. */
export function panAxes(main: View, second: View, dx: number, dy: number, axis: AxisId | null, w: number, h: number): [View, View] {
  const on = (a: AxisId, d: number): number => (axis === null || axis === a ? d : 0);
  return [pan(main, on('x', dx), on('y', dy), w, h), pan(second, on('x2', dx), on('y2', dy), w, h)];
}

/** Zooms around (px, py) by f: every axis, or only `axis`. Returns the main and the second view. */
export function zoomAxes(main: View, second: View, px: number, py: number, f: number, axis: AxisId | null, w: number, h: number): [View, View] {
  const on = (a: AxisId): number => (axis === null || axis === a ? f : 1);
  // An axis left out keeps its range exactly (zooming by 1 would round it).
  const zoom = (v: View, fx: number, fy: number): View => {
    const z = zoomAt(v, px, py, w, h, fx, fy);
    return { ...z, ...(fx === 1 ? { x0: v.x0, x1: v.x1 } : {}), ...(fy === 1 ? { y0: v.y0, y1: v.y1 } : {}) };
  };
  return [zoom(main, on('x'), on('y')), zoom(second, on('x2'), on('y2'))];
}
