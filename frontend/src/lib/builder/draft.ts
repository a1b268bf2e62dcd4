/**
 * The builder's working state and the plot spec it becomes. A draft dataset holds what the
 * builder shows (the picked fields and attributes, the bindings so far); `toSpec` keeps
 * only what a plot needs, so a saved spec never carries half-made choices.
 */
import type { DatasetSpec, PlotSpec, ReduceSettings, Role, RunFilter, Smoothing } from '../api/types';
import { kindById } from '../api/grammar';

export interface DatasetDraft {
  filter: RunFilter;
  series: string;
  fields: string[];
  attributes: string[];
  bindings: Partial<Record<Role, string>>;
  axes: { x: 'x' | 'x2'; y: 'y' | 'y2' };
  /** One row per run (DatasetSpec.per_run): `fields` are per-run columns (attr.lr, min.loss). */
  perRun?: boolean;
  /** The `join` role's fields (a media plot's overlay): several, as the grammar allows. */
  join?: string[];
}

export interface PlotDraft {
  name: string;
  title: string;
  kind: string;
  datasets: DatasetDraft[];
  facetColumns: number;
  frame: number | 'latest';
  /** Bins and aggregate of an aggregating kind (PlotSpec.reduce); empty for the others. */
  reduce: ReduceSettings;
  /** How a histogram over steps is drawn (PlotSpec.view): '' for the default. */
  view: string;
  /** A line plot's smoothing (PlotSpec.smooth): the method ('' for none) and each method's amount. */
  smooth: SmoothDraft;
  /** The y range followed (PlotSpec.y_range): 'auto' is the default and is not written. */
  yRange: 'auto' | 'robust' | 'full';
  /** A text plot's format and diff view (PlotSpec.format, .diff); '' for the default. */
  format?: string;
  diff?: string;
  /** A contour's levels (PlotSpec.levels; empty for the default 10) and fill (PlotSpec.filled). */
  levels?: number | null;
  filled?: boolean;
  /** z: a 3-D kind's vertical axis (absent: linear). */
  scales: { x: 'lin' | 'log'; y: 'lin' | 'log'; x2: 'lin' | 'log'; y2: 'lin' | 'log'; z?: 'lin' | 'log' };
}

export interface SmoothDraft {
  method: '' | 'ema' | 'window';
  ema: number;
  window: number;
}

/** No smoothing, with the amounts a user starts from (TensorBoard's default weight). */
export function noSmoothing(): SmoothDraft {
  return { method: '', ema: 0.6, window: 25 };
}

function smoothOf(s: SmoothDraft): Smoothing | null {
  if (s.method === 'ema' && s.ema > 0 && s.ema < 1) return { ema: s.ema };
  if (s.method === 'window' && s.window > 1) return { window: Math.round(s.window) };
  return null;
}

/** Whether a kind's reduction adds rows up (bins, cells, boxes): `reduce` settings apply. */
export function aggregates(reduction: string | null): boolean {
  return reduction !== null && reduction !== 'm4' && reduction !== 'density';
}

export function emptyDataset(filter: RunFilter): DatasetDraft {
  return { filter, series: '', fields: [], attributes: [], bindings: {}, axes: { x: 'x', y: 'y' } };
}

/** Roles still unbound that the kind cannot draw without, per dataset. */
export function missingRoles(d: PlotDraft): string | null {
  const kind = kindById(d.kind);
  if (!kind) return `unknown kind "${d.kind}"`;
  for (const [i, ds] of d.datasets.entries()) {
    if (!ds.series) return `dataset ${i + 1}: pick a series`;
    // dims are the picked fields (toSpec binds them).
    const missing = kind.required.filter((r) => !(r === 'dims' ? ds.fields.length : ds.bindings[r]));
    if (missing.length) return `dataset ${i + 1}: bind a field to ${missing.join(' and ')}`;
    const sets = kind.one_of ?? [];
    if (sets.length && !sets.some((s) => s.every((r) => ds.bindings[r]))) return `dataset ${i + 1}: bind fields to ${sets.map((s) => s.join(', ')).join(' or to ')}`;
  }
  return null;
}

export function toSpec(d: PlotDraft): PlotSpec {
  const kind = kindById(d.kind);
  const datasets: DatasetSpec[] = d.datasets.map((ds) => {
    const bindings: DatasetSpec['bindings'] = {};
    for (const [role, field] of Object.entries(ds.bindings) as [Role, string | undefined][]) {
      if (field && role !== 'join' && (!kind || kind.roles.includes(role))) bindings[role] = field;
    }
    // Join on several fields (a frame and an index): a list; one stays a name.
    const join = ds.join?.length ? ds.join : ds.bindings.join ? [ds.bindings.join] : [];
    if (join.length && (!kind || kind.roles.includes('join'))) bindings.join = join.length === 1 ? join[0]! : [...join];
    // A table's columns are the picked fields (none picked: every field of the series).
    if (kind?.painter === 'table' && ds.fields.length) bindings.column = [...ds.fields];
    // Parallel coordinates: an axis per picked field, in the order picked.
    if (kind?.painter === 'parallel' && ds.fields.length) bindings.dims = [...ds.fields];
    const used = new Set(Object.values(bindings).flat());
    const attributes = ds.attributes.filter((a) => used.has(a) || ds.attributes.includes(a));
    const out: DatasetSpec = { series: ds.series, filter: ds.filter, bindings };
    if (attributes.length) out.attributes = attributes;
    if (ds.axes.x !== 'x' || ds.axes.y !== 'y') out.axes = { ...ds.axes };
    if (ds.perRun) out.per_run = true;
    return out;
  });
  const spec: PlotSpec = { name: d.name || 'preview (not saved)', kind: d.kind, datasets, scales: { x: d.scales.x, y: d.scales.y } };
  if (datasets.some((x) => x.axes?.x === 'x2')) spec.scales = { ...spec.scales, x2: d.scales.x2 };
  if (datasets.some((x) => x.axes?.y === 'y2')) spec.scales = { ...spec.scales, y2: d.scales.y2 };
  if (d.scales.z === 'log' && kindById(d.kind)?.scales?.includes('z')) spec.scales = { ...spec.scales, z: 'log' };
  if (d.title) spec.title = d.title;
  if (datasets.some((x) => x.bindings.facet)) spec.facet = { columns: d.facetColumns };
  if (datasets.some((x) => x.bindings.frame)) spec.frame = { value: d.frame };
  const reduce = Object.fromEntries(Object.entries(d.reduce).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  if (kind && aggregates(kind.reduction) && Object.keys(reduce).length) spec.reduce = reduce;
  if (d.view && (datasets.some((x) => x.bindings.t) || kind?.painter === 'band' || kind?.id === 'bar')) spec.view = d.view;
  const smooth = kind?.painter === 'line' ? smoothOf(d.smooth) : null;
  if (smooth) spec.smooth = smooth;
  if (d.yRange !== 'auto' && (kind?.painter === 'line' || kind?.painter === 'scatter')) spec.y_range = d.yRange;
  if (kind?.painter === 'contour') {
    if (d.levels) spec.levels = Math.round(d.levels);
    if (d.filled) spec.filled = true;
  }
  if (kind?.painter === 'text') {
    if (d.format && d.format !== 'auto') spec.format = d.format as PlotSpec['format'];
    if (d.diff === 'side') spec.diff = 'side';
  }
  return spec;
}

export function fromSpec(spec: PlotSpec): PlotDraft {
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  return {
    name: spec.name,
    title: spec.title ?? '',
    kind: spec.kind,
    facetColumns: spec.facet?.columns ?? 3,
    frame: spec.frame?.value ?? 'latest',
    reduce: { ...spec.reduce },
    view: spec.view ?? '',
    format: spec.format ?? '',
    diff: spec.diff ?? '',
    levels: spec.levels ?? null,
    filled: spec.filled ?? false,
    smooth: spec.smooth ? { ...noSmoothing(), method: 'ema' in spec.smooth ? 'ema' : 'window', ...spec.smooth } : noSmoothing(),
    yRange: spec.y_range ?? 'auto',
    scales: { x: spec.scales?.x ?? 'lin', y: spec.scales?.y ?? 'lin', x2: spec.scales?.x2 ?? 'lin', y2: spec.scales?.y2 ?? 'lin', z: spec.scales?.z ?? 'lin' },
    datasets: spec.datasets.map((ds) => {
      const bindings: DatasetDraft['bindings'] = {};
      for (const [role, v] of Object.entries(ds.bindings) as [Role, string | string[] | undefined][]) {
        const f = one(v);
        if (f && role !== 'column' && role !== 'dims' && role !== 'join') bindings[role] = f;
      }
      const attributes = ds.attributes ?? [];
      // A table's columns and parallel coordinates' dims come back as the picked fields, first
      // and in order (toSpec binds them again).
      const list = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);
      const columns = [...list(ds.bindings.column), ...list(ds.bindings.dims)];
      const join = list(ds.bindings.join);
      const fields = [...new Set([...columns, ...Object.values(bindings), ...join].filter((f): f is string => !!f && f !== 'run' && !attributes.includes(f)))];
      const out: DatasetDraft = { filter: ds.filter ?? {}, series: ds.series, fields, attributes, bindings, axes: { x: ds.axes?.x ?? 'x', y: ds.axes?.y ?? 'y' } };
      if (ds.per_run) out.perRun = true;
      if (join.length) out.join = join;
      return out;
    }),
  };
}
