/**
 * One dataset of a plot: what it asks the server for, what it holds, and how live events
 * change it. Requests never overlap for the same purpose: a newer zoom aborts the older one,
 * and live appends run one at a time, coalescing the events that arrive meanwhile.
 *
 * A full load and an append must not both add the same rows: an append waits while a load is
 * in flight, and one that was in flight when a load started (or a run was dropped) is thrown
 * away and asked again after `lastSequence`, so a row is never drawn twice and a deleted run
 * never comes back from an answer that predates its deletion.
 */
import { fetchData, type DataBatch } from '../api/arrowData';
import { hasTrait, isContinuous } from '../api/fieldTypes.svelte';
import type { ContourSettings, DataRequest, DatasetSpec, FieldInfo, ReduceSettings, Smoothing } from '../api/types';
import { LineSet } from '../data/lineSet';
import { PointSet } from '../data/pointSet';
import { RectSet } from '../data/rectSet';
import { kindById } from '../api/grammar';
import { ColorScale, isCategorical } from './palette';
import { painterFor, type PaintData, type Painter } from './painters';
import { runColumnType } from './runColumns';

export interface DatasetHost {
  /** The plot kind (the server's grammar): its painter draws the dataset, its reduction shapes the rows. */
  kind: string;
  /** The frame binding's value to show (PlotSpec.frame). */
  frame?: number | 'latest';
  /** The plot's reduce settings (PlotSpec.reduce), sent with each request. */
  reduce?: ReduceSettings;
  /** The plot's view setting (PlotSpec.view): how a histogram over steps is drawn. */
  view?: string;
  /** The plot's smoothing of lines (PlotSpec.smooth). */
  smooth?: Smoothing;
  /** A contour plot's levels and fill (PlotSpec.levels, PlotSpec.filled). */
  contour?: ContourSettings;
  palette: string | undefined;
  fields: Map<string, FieldInfo>;
  /** Data-area width in device pixels: the M4 resolution to ask for. */
  pixels(): number;
  /** Data changed: extents, colors and pixels need redoing. */
  changed(ds: DatasetState): void;
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function one(v: string | string[] | undefined): string | null {
  return asList(v)[0] ?? null;
}

/** The roles a data request names a field for, beside `group` and `order`. */
const REQUEST_ROLES = ['x', 'y', 't', 'value', 'category', 'z', 'u', 'v'] as const;

/**
 * The fields named on the axes: x (or t, or the category) and y (or what is counted). A
 * histogram over steps drawn as ridgelines (`view`) turns it: values across, steps up.
 */
export function axisFields(req: DataRequest, view?: string): { x: string; y: string } {
  if (req.t && view === 'ridgeline') return { x: req.x ?? '', y: req.t };
  return { x: req.t ?? req.x ?? req.category ?? '', y: req.t ? (req.x ?? '') : (req.y ?? req.value ?? 'count') };
}

/** Builds the request for a dataset spec, or says which binding its kind needs is missing. */
export function baseRequest(ds: DatasetSpec, kind: string, frame: number | 'latest' = 'latest', reduce: ReduceSettings = {}): DataRequest {
  const required = kindById(kind)?.required ?? ['x', 'y'];
  const missing = required.find((r) => !one(ds.bindings[r]));
  if (missing) throw new Error(`dataset of series "${ds.series}" binds no ${missing} field`);
  const attributes = ds.attributes ?? [];
  const group = asList(ds.bindings.group).filter((g) => g !== 'run');
  const painter = painterFor(kind);
  const color = one(ds.bindings.color);
  // An aggregating kind adds up each color value apart (stacked bars, one histogram each).
  if (painter.reloadsOnAppend && color && color !== 'run' && !group.includes(color)) group.push(color);
  const bound = REQUEST_ROLES.map((r) => one(ds.bindings[r]));
  // A mesh's faces (i, j, k) are plain fields of the request: no reducer reads them by role.
  const corners = ['i', 'j', 'k'].map((r) => one(ds.bindings[r]));
  const roles = [...bound, ...group, color, one(ds.bindings.size), one(ds.bindings.order), ...corners];
  const fields = [...new Set(roles.filter((f): f is string => !!f && f !== 'run' && !attributes.includes(f)))];
  const req: DataRequest = { ...reduce, filter: ds.filter ?? {}, series: ds.series, fields, attributes, kind, group: ['run', ...group] };
  if (ds.per_run) {
    // One row per run (web/run_columns.py): its columns are all fields, runs need no group.
    req.per_run = true;
    req.group = group;
  }
  REQUEST_ROLES.forEach((r, i) => {
    const f = bound[i];
    if (f) req[r] = f;
  });
  const x = req.x;
  const order = one(ds.bindings.order);
  if (order && order !== x) req.order = order; // lines drawn in this field's order, not x's
  const where = [...(ds.where ?? [])];
  const frameField = one(ds.bindings.frame);
  if (frameField) where.push(frame === 'latest' ? { field: frameField, latest: true } : { field: frameField, equals: frame });
  if (where.length) req.where = where;
  return req;
}

export class DatasetState {
  readonly request: DataRequest;
  readonly painter: Painter;
  /** The rows held, in the shape the painter draws. */
  readonly data: PaintData;
  readonly color: ColorScale;
  readonly colorField: string | null;
  readonly sizeField: string | null;
  /** The size domain the panels of a facet grid share, which then replaces the own one. */
  sharedSize: [number, number] | null = null;
  lastSequence = 0;
  reduced = 'none';
  loaded = false;
  /** How long the last full load took: request, transfer and Arrow decoding. */
  loadMs: number | null = null;
  /** When the first load was asked for (performance.now()): benchmarks time data to pixels from it. */
  loadStartedAt: number | null = null;
  error: string | null = null;
  /** x extent of the last full load, in data units: zooming inside it may refetch finer data. */
  loadedRange: [number, number] | null = null;
  /**
   * The range (data units) and width in device pixels a painter that `refetchesView` asks
   * its whole data for, each load (zoom, pan, new rows); null: everything (the view follows the data).
   */
  viewRange: { x_min: number; x_max: number; y_min: number; y_max: number; pixels: number } | null = null;
  private zoom: AbortController | null = null;
  private full: AbortController | null = null;
  private appending = false;
  private appendAgain = false;
  private loading = 0;
  /** Bumped by every full load and dropped run: an append answer from before it is stale. */
  private generation = 0;
  private disposed = false;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly spec: DatasetSpec,
    private readonly host: DatasetHost,
  ) {
    this.painter = painterFor(host.kind);
    this.request = baseRequest(spec, host.kind, host.frame, host.reduce);
    this.colorField = one(spec.bindings.color);
    this.sizeField = one(spec.bindings.size);
    this.data = this.painter.holder(this.request, this.colorField, this.sizeField, host.view, host.smooth, host.contour);
    this.color = new ColorScale(host.palette, this.colorIsContinuous());
  }

  /** The fields named on the axes (axisFields, with the plot's view). */
  axisNames(): { x: string; y: string } {
    return axisFields(this.request, this.host.view);
  }

  /** The lines held, when the painter draws lines. */
  get lines(): LineSet | null {
    return this.data instanceof LineSet ? this.data : null;
  }

  /** The bins, cells or boxes held, when the painter draws rectangles. */
  get rects(): RectSet | null {
    return this.data instanceof RectSet ? this.data : null;
  }

  /** The points held, when the painter draws points. */
  get points(): PointSet | null {
    return this.data instanceof PointSet ? this.data : null;
  }

  /** Numbers get a continuous color scale; strings, bools, runs (and ints under a categorical palette) categories. */
  private colorIsContinuous(): boolean {
    if (this.painter.colorColumn?.(this.request)) return true;
    const f = this.colorField;
    if (f === null || f === 'run') return false;
    const type = this.request.per_run ? runColumnType(f, this.host.fields) : this.host.fields.get(f)?.type;
    if (isContinuous(type)) return true;
    if (hasTrait(type, 'numeric')) return !isCategorical(this.host.palette);
    return false;
  }

  private async get(req: DataRequest, signal?: AbortSignal): Promise<DataBatch | null> {
    try {
      const batch = await fetchData(req, signal);
      if (this.disposed) return null;
      this.error = null;
      return batch;
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return null;
      this.error = e instanceof Error ? e.message : String(e);
      this.host.changed(this);
      return null;
    }
  }

  /** Everything, reduced to the plot's width. */
  async load(): Promise<void> {
    this.full?.abort();
    const ctl = new AbortController();
    this.full = ctl;
    const t0 = performance.now();
    this.loadStartedAt ??= t0;
    this.generation++;
    this.loading++;
    let batch: DataBatch | null;
    try {
      batch = await this.get({ ...this.request, pixels: this.host.pixels(), ...(this.viewRange ?? {}) }, ctl.signal);
    } finally {
      this.loading--;
    }
    if (!batch) {
      if (this.loading === 0 && this.appendAgain && this.loaded) void this.append();
      return;
    }
    this.loadMs = performance.now() - t0;
    this.reduced = batch.reduced;
    this.lastSequence = Math.max(this.lastSequence, batch.lastSequence);
    this.data.replace(batch);
    this.loaded = true;
    this.loadedRange = this.xExtent(batch);
    this.observeColors(batch);
    this.host.changed(this);
    if (this.appendAgain) void this.append();
  }

  /** Finer data for [a, b] after a zoom (line plots whose data came reduced). */
  async loadRange(a: number, b: number): Promise<void> {
    if (!this.lines || this.reduced !== 'm4') return;
    this.zoom?.abort();
    const ctl = new AbortController();
    this.zoom = ctl;
    const batch = await this.get({ ...this.request, x_min: a, x_max: b, pixels: this.host.pixels() }, ctl.signal);
    if (!batch) return;
    this.lines.splice(batch, a, b);
    this.observeColors(batch);
    this.host.changed(this);
  }

  /** Rows committed after what we hold; at most one request in flight. */
  async append(): Promise<void> {
    if (!this.loaded || this.appending || this.loading > 0) {
      this.appendAgain = true;
      return;
    }
    this.appending = true;
    this.appendAgain = false;
    const generation = this.generation;
    const batch = await this.get({ ...this.request, pixels: this.host.pixels(), after_sequence: this.lastSequence });
    this.appending = false;
    if (generation !== this.generation) {
      // A load replaced everything meanwhile (it may hold these rows already), or a run was
      // dropped (these rows may have it): ask again from what we hold now.
      void this.append();
      return;
    }
    if (batch && batch.length > 0) {
      this.lastSequence = Math.max(this.lastSequence, batch.lastSequence);
      this.data.append(batch, this.host.pixels());
      this.observeColors(batch);
      this.host.changed(this);
    } else if (batch) this.lastSequence = Math.max(this.lastSequence, batch.lastSequence);
    if (this.appendAgain) void this.append();
  }

  /** A rows_appended event: fetch only if it is for this series and newer than what we hold. */
  rowsAppended(series: string, sequence: number): void {
    if (series !== this.request.series || sequence <= this.lastSequence) return;
    if (this.painter.reloadsOnAppend || this.request.per_run || this.request.where?.some((w) => 'latest' in w)) {
      // A newer step replaces the frame shown rather than adding to it: load it anew, at most
      // twice a second however fast rows arrive.
      this.reloadTimer ??= setTimeout(() => {
        this.reloadTimer = null;
        void this.load();
      }, 500);
      return;
    }
    void this.append();
  }

  dropRun(run: string): boolean {
    this.generation++;
    const dropped = this.data.dropRun(run);
    if (dropped) this.host.changed(this);
    return dropped;
  }

  /**
   * A replaced run (its old rows are dropped already): load everything anew. Fetching only
   * the run would race with appends that bring its new rows too, drawing them twice; a
   * replace is rare enough for a full load.
   */
  async refetchRun(run: string): Promise<void> {
    const f = this.request.filter;
    if (f.handles && !f.handles.includes(run)) return;
    await this.load();
  }

  /** [min, max] of the size field over the points held; [Infinity, -Infinity] when none. */
  ownSizeRange(): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    if (this.sizeField !== null && this.points) {
      for (const v of this.points.size.values()) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    return [lo, hi];
  }

  /** The continuous color values seen, or null: what this dataset adds to a facet grid's domain. */
  ownColorDomain(): [number, number] | null {
    return this.colorField !== null && this.color.continuous && this.color.min <= this.color.max ? [this.color.min, this.color.max] : null;
  }

  /** The size values held, or null. */
  ownSizeDomain(): [number, number] | null {
    const r = this.ownSizeRange();
    return r[0] <= r[1] ? r : null;
  }

  runs(): string[] {
    return this.data.runs();
  }

  private observeColors(batch: DataBatch): void {
    const valued = this.painter.colorColumn?.(this.request);
    if (valued) {
      // What the cells add up to changes with each load: the scale spans the latest.
      this.color.resetRange();
      const col = batch.columns.get(valued);
      if (col instanceof Float64Array) for (const v of col) this.color.observe(v);
      return;
    }
    const f = this.colorField;
    const col = f === null ? batch.columns.get('run') : batch.columns.get(f);
    if (!col) return;
    if (col instanceof Float64Array) {
      if (this.color.continuous) {
        for (const v of col) this.color.observe(v);
      } else new Set(col).forEach((v) => this.color.observe(String(v)));
    } else for (const v of col.values) this.color.observe(v);
  }

  private xExtent(batch: DataBatch): [number, number] | null {
    const xs = batch.columns.get(this.request.x ?? '');
    if (!(xs instanceof Float64Array) || xs.length === 0) return null;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of xs) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  }

  dispose(): void {
    this.disposed = true;
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    this.zoom?.abort();
    this.full?.abort();
  }
}
