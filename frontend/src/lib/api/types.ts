/** The JSON shapes of docs/http-api.md, as the UI reads them. */

/** A registered field type's name: 'int', 'float', 'string', 'bool' or one the server added (lib/api/fieldTypes.svelte.ts). */
export type FieldType = string;

export interface FieldInfo {
  handle: string;
  name: string;
  type: FieldType;
  description: string;
  /** A string field's display format (plain, markdown, html, svg), where the server declares one. */
  format?: string;
  /** A media field's kind and encoding (docs/http-api.md, "Media"). */
  media?: MediaFieldInfo;
}

export interface MediaFieldInfo {
  kind: 'image' | 'audio' | 'video';
  media_type: string;
  encoding: string;
  quality?: number;
  fps?: number;
}

/** One media value of a row (POST /api/media): its blob, and what it shows. */
export interface MediaCell {
  sha256: string;
  url: string;
  media_type: string;
  width: number;
  height: number;
  duration: number;
  bytes: number;
}

export interface SeriesInfo {
  name: string;
  fields: string[];
  /** The field the series names as its x (an int or float field of it); absent: its first int field. */
  x?: string;
}

export type AttributeValue = number | string | boolean;

export interface RunInfo {
  handle: string;
  started_at: number;
  tags: string[];
  attributes: Record<string, AttributeValue>;
}

export interface AttributeCondition {
  field: string;
  min?: number;
  max?: number;
  in?: AttributeValue[];
  equals?: AttributeValue;
}

export interface RunFilter {
  handles?: string[];
  tags_any?: string[];
  tags_all?: string[];
  tags_none?: string[];
  attributes?: AttributeCondition[];
  started_after?: number;
  started_before?: number;
}

/** A role of the server's plot grammar (lib/api/grammar.ts): x, y, color, group, ... */
export type Role = string;
export type Scale = 'lin' | 'log';

/** Rows of one facet or frame (a series field's value, or each run's latest value). */
export type RowCondition = { field: string; equals: AttributeValue } | { field: string; latest: true };

export interface DatasetSpec {
  series: string;
  /** Set by a facet panel or frame, not saved: the rows to show. */
  where?: RowCondition[];
  filter?: RunFilter;
  /** Role → field name; `group` may name several fields. The pseudo-field `run` is the run handle. */
  bindings: Partial<Record<Role, string | string[]>>;
  attributes?: string[];
  axes?: { x?: 'x' | 'x2'; y?: 'y' | 'y2' };
  /** One row per run: bind attr.NAME, last.F, min.F, max.F (F a numeric field of the series) or rows (docs/plots.md, "Per-run datasets"). */
  per_run?: boolean;
}

/** A line plot's smoothing (docs/plots.md): `{ ema: weight }` (0 ≤ weight < 1) or `{ window: points }`. */
export type Smoothing = { ema: number } | { window: number };

export interface PlotSpec {
  name: string;
  /** A kind of the server's plot grammar (lib/api/grammar.ts). */
  kind: string;
  title?: string;
  datasets: DatasetSpec[];
  scales?: { x?: Scale; y?: Scale; z?: Scale; x2?: Scale; y2?: Scale };
  palette?: string;
  /** Small multiples of the `facet` binding: panels per row. */
  facet?: { columns?: number };
  /** How an aggregating kind bins and aggregates: copied into each data request. */
  reduce?: ReduceSettings;
  /** How a histogram over steps is drawn: `heatmap` (default) or `distribution` (percentile bands). */
  view?: string;
  /** Lines: smoothing drawn over the faint raw line, `{ ema: 0.6 }` or `{ window: 25 }` (lib/data/smooth.ts). */
  smooth?: Smoothing;
  /** Contours: iso-lines drawn, spread evenly over z (default 10). */
  levels?: number;
  /** Contours: the bands between levels filled with color, the lines drawn dark over them. */
  filled?: boolean;
  /** The y range followed: "auto" (robust when spiky, the default), "robust" (1st–99th percentile) or "full" (lib/plot/robustRange.ts). */
  y_range?: 'auto' | 'robust' | 'full';
  /** The `frame` binding's value shown: a number, or each run's latest (the default). */
  frame?: { value?: number | 'latest' };
  /** Text plots: how the text reads (`auto`, the default: the field's declared format, else plain). */
  format?: 'auto' | 'plain' | 'markdown' | 'html' | 'svg';
  /** Text plots with `expected`: the diff inline (default) or side by side. */
  diff?: 'inline' | 'side';
}

/** A contour plot's settings, as its painter's holder takes them. */
export interface ContourSettings {
  levels?: number;
  filled?: boolean;
}

/** A plot's `reduce` settings (docs/plots.md): bins by count, width or rule; the aggregate. */
export interface ReduceSettings {
  bins?: number;
  bin_width?: number;
  bin_rule?: string;
  t_bins?: number;
  aggregate?: string;
}

export interface DataRequest extends ReduceSettings {
  filter: RunFilter;
  series: string;
  fields: string[];
  attributes: string[];
  /** The plot kind: the server reduces the rows as its grammar entry says. */
  kind: string;
  /** The fields bound to the roles the kind takes (x and y for lines and scatters). */
  x?: string;
  y?: string;
  t?: string;
  value?: string;
  category?: string;
  /** The depth axis of the 3-D kinds. */
  z?: string;
  /** A quiver's arrow components. */
  u?: string;
  v?: string;
  group: string[];
  order?: string;
  where?: RowCondition[];
  x_min?: number;
  x_max?: number;
  /** The view's y range: the quiver kind thins its arrows per cell of x and y over it. */
  y_min?: number;
  y_max?: number;
  pixels?: number;
  after_sequence?: number;
  /** The text kind's fields (the `text` reduction). */
  text?: string;
  expected?: string;
  /** A table's order and page (the `page` reduction). */
  sort?: string;
  descending?: boolean;
  offset?: number;
  limit?: number;
  /** One row per run of attributes and summaries of the series (web/run_columns.py). */
  per_run?: boolean;
}

export type LiveEvent =
  | { type: 'rows_appended'; run: string; series: string; sequence: number; rows: number }
  | { type: 'run_created' | 'run_replaced' | 'tags_changed' | 'attributes_changed'; run: RunInfo }
  | { type: 'run_deleted'; handle: string }
  | { type: 'field_changed'; field: FieldInfo }
  | { type: 'series_created'; series: SeriesInfo }
  | { type: 'series_deleted'; name: string }
  | { type: 'plot_changed'; name: string; deleted: boolean }
  | { type: 'dashboard_changed'; name: string; deleted: boolean };
