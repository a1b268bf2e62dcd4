/**
 * The parallel coordinates kind's painter (grammar kind `parallel`, painter `parallel`): one
 * vertical axis per `dims` field, one polyline per row across them, colored by the `color`
 * field on a continuous scale (numbers) or by category. With a per-run dataset (attr.lr,
 * min.loss; docs/plots.md, "Per-run datasets") it is the hyperparameter view: one line per
 * run. Pure functions here; the ParallelPlot component draws their result as SVG, so a
 * line is an element that a brush on an axis hides and a test reads.
 */
import { isCodes, type ColumnData, type DataBatch } from '../../api/arrowData';
import type { DatasetSpec, DataRequest, RunFilter } from '../../api/types';
import { categoricalColor, continuousColor } from '../palette';

/** One axis: its field, where its values sit (0 at the bottom, 1 at the top) and its ticks. */
export interface ParallelAxis {
  field: string;
  /** Numbers: [min, max] shown; categories: their labels bottom to top. */
  domain: [number, number] | null;
  categories: string[] | null;
  /** The position in [0, 1] of row i's value (NaN: no value). */
  at(i: number): number;
  /** Ticks: a position in [0, 1] and its label. */
  ticks: { t: number; label: string }[];
}

/** A brush: the rows whose value on `field` lies in [lo, hi] (positions in [0, 1]) are kept. */
export interface Brush {
  field: string;
  lo: number;
  hi: number;
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The request of a parallel coordinates dataset: its dims and color as fields, sent whole. */
export function parallelRequest(ds: DatasetSpec): DataRequest {
  const dims = asList(ds.bindings.dims);
  if (!dims.length) throw new Error(`dataset of series "${ds.series}" binds no dims field`);
  const color = asList(ds.bindings.color)[0];
  const fields = [...new Set([...dims, ...(color && color !== 'run' ? [color] : [])])];
  const filter: RunFilter = ds.filter ?? {};
  const req: DataRequest = { filter, series: ds.series, fields, attributes: [], kind: 'parallel', group: [] };
  if (ds.per_run) req.per_run = true;
  if (ds.where?.length) req.where = ds.where;
  return req;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** An axis over a column: numbers span their finite min–max, categories spread evenly. */
export function axisOf(field: string, col: ColumnData | undefined, rows: number): ParallelAxis {
  if (isCodes(col)) {
    const order = col.values.map((v, i) => ({ v, i })).sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
    const rank = new Map(order.map((o, k) => [o.i, k]));
    const n = col.values.length;
    const pos = (k: number): number => (n <= 1 ? 0.5 : k / (n - 1));
    return {
      field,
      domain: null,
      categories: order.map((o) => o.v),
      at: (i) => pos(rank.get(col.codes[i] as number) ?? NaN),
      ticks: order.map((o, k) => ({ t: pos(k), label: o.v })),
    };
  }
  let lo = Infinity;
  let hi = -Infinity;
  const values = col ?? new Float64Array(rows).fill(NaN);
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) [lo, hi] = [0, 1];
  const span = hi - lo;
  const at = (i: number): number => {
    const v = values[i] as number;
    if (!Number.isFinite(v)) return NaN;
    return span === 0 ? 0.5 : (v - lo) / span;
  };
  const ticks = span === 0 ? [{ t: 0.5, label: fmt(lo) }] : [0, 0.5, 1].map((t) => ({ t, label: fmt(lo + t * span) }));
  return { field, domain: [lo, hi], categories: null, at, ticks };
}

/** One polyline to draw: its row, run and color, and its points in pixels. */
export interface ParallelLine {
  row: number;
  run: string;
  color: string;
  points: [number, number][];
  /** Whether every brush keeps it. */
  kept: boolean;
}

function css(c: [number, number, number, number]): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Each row's color: the color field on a continuous scale (numbers) or categories; else by run. */
export function rowColors(batch: DataBatch, color: string | null, palette: string | undefined): string[] {
  const col = batch.columns.get(color && color !== 'run' ? color : 'run');
  const out: string[] = [];
  if (col instanceof Float64Array) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of col) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    for (const v of col) out.push(Number.isFinite(v) ? css(continuousColor(palette, hi > lo ? (v - lo) / (hi - lo) : 0.5)) : '#999');
    return out;
  }
  if (isCodes(col)) {
    const sorted = [...col.values].sort();
    const index = col.values.map((v) => sorted.indexOf(v));
    for (const c of col.codes) out.push(css(categoricalColor(palette, index[c] ?? 0, sorted.length)));
    return out;
  }
  return new Array<string>(batch.length).fill('#1f77b4');
}

/** Layout in a w × h box with `pad` pixels around: axis k at x = pad.left + k·(w − pad.left − pad.right)/(n − 1). */
export interface Box {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function axisX(box: Box, k: number, n: number): number {
  const inner = box.w - box.left - box.right;
  return box.left + (n <= 1 ? inner / 2 : (k * inner) / (n - 1));
}

export function axisY(box: Box, t: number): number {
  return box.top + (1 - t) * (box.h - box.top - box.bottom);
}

/** The polylines of every row (a NaN value breaks no line: it is drawn at the axis' bottom, dashed by the component). */
export function parallelLines(batch: DataBatch, axes: ParallelAxis[], colors: string[], box: Box, brushes: Brush[]): ParallelLine[] {
  const runs = batch.columns.get('run');
  const lines: ParallelLine[] = [];
  for (let i = 0; i < batch.length; i++) {
    const points: [number, number][] = axes.map((a, k) => {
      const t = a.at(i);
      return [axisX(box, k, axes.length), axisY(box, Number.isFinite(t) ? t : 0)];
    });
    const kept = brushes.every((b) => {
      const a = axes.find((x) => x.field === b.field);
      const t = a ? a.at(i) : NaN;
      return !a || (t >= b.lo && t <= b.hi);
    });
    const run = isCodes(runs) ? (runs.values[runs.codes[i] as number] ?? '') : '';
    lines.push({ row: i, run, color: colors[i] ?? '#1f77b4', points, kept });
  }
  return lines;
}

/** An SVG polyline's points attribute. */
export function pointsAttr(points: [number, number][]): string {
  return points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}
