/**
 * What the workspace shows, worked out from the schema alone: one section per series that has
 * a step-like field (the field the series names as its x, else its first integer field: see
 * stepOf) and something to plot against it, one line-plot
 * panel per other numeric field. Nothing is configured, so a series or field logged later only
 * adds sections and panels. Each panel is an ordinary line plot spec, so the builder can open
 * it and it can be saved like any plot. Media fields (images, audio, video) get a media panel
 * and string fields a text panel, after the series' line panels, in schema order.
 */
import type { FieldInfo, PlotSpec, RunFilter, RunInfo, SeriesInfo } from '../api/types';
import { distributionSpec } from './distributions';
import { differingLabels } from '../plot/runLabels';

/** What the workspace needs to know of a field's type (lib/api/fieldTypes.svelte.ts answers it). */
export interface TypeTraits {
  numeric: (type: string) => boolean;
  discrete: (type: string) => boolean;
  /** Images, audio, video: shown in a media panel (without it, media fields get none). */
  media?: (type: string) => boolean;
  /** Strings: shown in a text panel (without it, string fields get none). */
  textual?: (type: string) => boolean;
}

export interface Panel {
  /** `series/field`: unique, and what pins and the panel order are kept by. */
  key: string;
  series: string;
  x: string;
  y: string;
  /** A media panel (`y` is the media field, `x` its frame); absent for a line panel. */
  media?: { boxes: string | null };
  /** A text panel (`y` is the string field, `x` its frame): the text kind, formatted by the field's format. */
  text?: true;
  /** A text panel's `expected` field (the text kind's role): drawn as a diff against `y`. */
  expected?: string;
  /** Many rows per step: drawn as a distribution over steps (distributions.ts). */
  distribution?: boolean;
}

/** The fields of a box series as `logger.image` writes them (src/streamvis/logger/images.py). */
export const BOX_FIELDS = { x0: 'box.x0', y0: 'box.y0', x1: 'box.x1', y1: 'box.y1', label: 'box.label', score: 'box.score' } as const;

/** The box series of image series `name` (`<name>.boxes`) when it has the box fields. */
function boxSeriesOf(name: string, series: SeriesInfo[]): SeriesInfo | null {
  const s = series.find((x) => x.name === `${name}.boxes`);
  return s && [BOX_FIELDS.x0, BOX_FIELDS.y0, BOX_FIELDS.x1, BOX_FIELDS.y1].every((f) => s.fields.includes(f)) ? s : null;
}

export interface Section {
  series: string;
  x: string;
  panels: Panel[];
}

/**
 * What a logger captures by itself (src/streamvis/model/capture.py names the series) is no
 * metric of the program: the run page shows the captured files, the console and the progress
 * bars, so the workspace leaves them out. The machine's load (`system`) is charted, after the
 * program's own series, against its own clock: its first integer field is a byte count, not a
 * step. `system.gpu` has one row per GPU per sample, which one line per run would zigzag
 * through, so it stays on the run page.
 */
export const RUN_RECORD_SERIES = new Set(['capture', 'console', 'progress', 'system.gpu']);
export const CLOCKED_SERIES: Record<string, string> = { system: 'system.time' };

/**
 * The field a series is drawn against: the one it names as its x (`streamvis create-series
 * --x`) when that is a numeric field of it, else its first integer field; undefined when it
 * has neither. The builder preselects the same (builder/preselect.ts).
 */
export function stepOf<F extends { name: string; type: string }>(x: string | undefined, typed: F[], isStep: (type: string) => boolean, isNumeric: (type: string) => boolean = isStep): F | undefined {
  const named = x === undefined ? undefined : typed.find((f) => f.name === x && isNumeric(f.type));
  return named ?? typed.find((f) => isStep(f.type));
}

export function panelKey(series: string, y: string): string {
  return `${series}/${y}`;
}

/**
 * The sections and panels of `series`, in the order the server lists series and each series
 * lists its fields. A series with neither a named x nor an integer field, or with nothing
 * numeric besides it, gets no section: it has no step to draw lines along. Sections with a chart come first (the
 * curves are what the page is opened for), then those of only images, sounds and texts, then
 * the clocked ones (`system`).
 */
export function sectionsFor(series: SeriesInfo[], fields: Map<string, FieldInfo>, traits: TypeTraits): Section[] {
  const out: Section[] = [];
  const rich: Section[] = [];
  const late: Section[] = [];
  const isMedia = traits.media ?? (() => false);
  const isText = traits.textual ?? (() => false);
  // A box series is drawn over its images, not charted field by field.
  const overlays = new Set(series.filter((s) => s.fields.some((f) => isMedia(fields.get(f)?.type ?? ''))).map((s) => boxSeriesOf(s.name, series)?.name));
  for (const s of series) {
    if (RUN_RECORD_SERIES.has(s.name) || overlays.has(s.name)) continue;
    const typed = s.fields.map((name) => ({ name, type: fields.get(name)?.type })).filter((f): f is { name: string; type: string } => f.type !== undefined);
    const clock = CLOCKED_SERIES[s.name];
    const step = clock !== undefined
      ? typed.find((f) => f.name === clock)
      : stepOf(s.x, typed, (t) => traits.numeric(t) && traits.discrete(t), traits.numeric);
    if (!step) continue;
    const panels: Panel[] = typed
      .filter((f) => f.name !== step.name && traits.numeric(f.type))
      .map((f) => ({ key: panelKey(s.name, f.name), series: s.name, x: step.name, y: f.name }));
    const boxes = boxSeriesOf(s.name, series)?.name ?? null;
    const texts = typed.filter((t) => t.name !== step.name && isText(t.type)).map((t) => t.name);
    const pairs = expectedPairs(texts);
    const expecting = new Set(pairs.values());
    for (const f of typed.filter((t) => t.name !== step.name && (isMedia(t.type) || isText(t.type)) && !expecting.has(t.name))) {
      const base = { key: panelKey(s.name, f.name), series: s.name, x: step.name, y: f.name };
      const expected = pairs.get(f.name);
      panels.push(isMedia(f.type) ? { ...base, media: { boxes: f.type === 'image' ? boxes : null } } : { ...base, text: true, ...(expected ? { expected } : {}) });
    }
    if (panels.length === 0) continue;
    const charted = panels.some((p) => !p.media && !p.text);
    (clock !== undefined ? late : charted ? out : rich).push({ series: s.name, x: step.name, panels });
  }
  return [...out, ...rich, ...late];
}

/**
 * Text fields paired with the field that holds what they should have been (the text kind's
 * `expected` role), by name: `expected` (or `<prefix>.expected`, `<prefix>_expected`) goes
 * with the series' other text field when there is exactly one; `<name>.expected` or
 * `<name>_expected` with `<name>`. Such a pair is one diff panel, not two texts side by side.
 */
export function expectedPairs(texts: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const own = new Set(texts);
  const isExpected = (n: string): RegExpExecArray | null => /^(?:(.+)[._])?expected$/.exec(n);
  for (const e of texts) {
    const m = isExpected(e);
    if (!m) continue;
    const stem = m[1];
    const named = stem === undefined ? undefined : [stem, `${stem}.text`, `${stem}_text`].find((n) => own.has(n) && !out.has(n));
    const others = texts.filter((t) => !isExpected(t));
    const text = named ?? (others.length === 1 ? others[0] : undefined);
    if (text && !out.has(text)) out.set(text, e);
  }
  return out;
}

/** Pinned panels first (in the order pinned), then the rest in schema order. */
export function orderPanels(panels: Panel[], pins: string[]): Panel[] {
  const rank = new Map(pins.map((k, i) => [k, i]));
  const pinned = panels.filter((p) => rank.has(p.key)).sort((a, b) => (rank.get(a.key) as number) - (rank.get(b.key) as number));
  return [...pinned, ...panels.filter((p) => !rank.has(p.key))];
}

/** A saved plot's name for a panel: plot names are free text, so the key itself serves. */
export function plotName(panel: Panel): string {
  return `workspace ${panel.series} ${panel.y}`;
}

/**
 * What the workspace's x axis is: each series' step, the wall-clock time each row was written,
 * or the seconds since its run started. The two times are the pseudo-fields `_time` and
 * `_elapsed` the logger records for every series (docs/concepts.md, "Time").
 */
export type XAxis = 'step' | 'time' | 'elapsed';
export const X_AXES: { value: XAxis; label: string }[] = [
  { value: 'step', label: 'step' },
  { value: 'time', label: 'wall-clock time' },
  { value: 'elapsed', label: 'time since start' },
];
const X_FIELDS: Record<Exclude<XAxis, 'step'>, string> = { time: '_time', elapsed: '_elapsed' };

/** The field a panel's x is bound to under the workspace's x-axis choice. */
export function xFieldFor(panel: Pick<Panel, 'x'>, axis: XAxis): string {
  return axis === 'step' ? panel.x : X_FIELDS[axis];
}

/**
 * The line plot of one panel: y against the series' step (or the chosen time), one line per run
 * colored by run, for the runs of `filter` (the visible runs of the run list).
 */
export function panelSpec(panel: Panel, filter: RunFilter, axis: XAxis = 'step'): PlotSpec {
  if (panel.media) return mediaPanelSpec(panel, filter);
  if (panel.text) return textPanelSpec(panel, filter);
  if (panel.distribution) return distributionSpec(panel, filter, xFieldFor(panel, axis), plotName(panel));
  return {
    name: plotName(panel),
    title: panel.y,
    kind: 'line',
    datasets: [{ series: panel.series, filter, bindings: { x: xFieldFor(panel, axis), y: panel.y, color: 'run' } }],
  };
}

/**
 * The media plot of a media panel: each run's latest image (audio, video) with a slider over
 * the step, and the boxes of the image series' box series drawn over it.
 */
export function mediaPanelSpec(panel: Panel, filter: RunFilter): PlotSpec {
  const datasets: PlotSpec['datasets'] = [{ series: panel.series, filter, bindings: { media: panel.y, frame: panel.x } }];
  if (panel.media?.boxes) datasets.push({ series: panel.media.boxes, filter, bindings: { ...BOX_FIELDS } });
  return { name: plotName(panel), title: panel.y, kind: 'media', datasets, frame: { value: 'latest' } };
}

/**
 * The text plot of a text panel: each run's text at its latest step (a slider over the step),
 * formatted as the field's format says (plain, markdown, HTML, SVG; decision 0019).
 */
export function textPanelSpec(panel: Panel, filter: RunFilter): PlotSpec {
  const bindings = { text: panel.y, frame: panel.x, ...(panel.expected ? { expected: panel.expected } : {}) };
  return { name: plotName(panel), title: panel.expected ? `${panel.y} vs ${panel.expected}` : panel.y, kind: 'text', datasets: [{ series: panel.series, filter, bindings }], frame: { value: 'latest' } };
}

/** A run's name in the run list: its attribute `name` when set, else the short handle. */
export function runDisplayName(run: RunInfo): string {
  const name = run.attributes['name'];
  return typeof name === 'string' && name !== '' ? name : run.handle.slice(0, 8);
}

/**
 * Each run's name in the run list and the legends: its `name` attribute when set, else what
 * tells it apart from the other runs in view ("lr=0.003 · sgd", runLabels.ts), else its short
 * handle. Hex handles alone told a sweep's runs apart only by opening each one.
 */
export function runNames(runs: RunInfo[]): Map<string, string> {
  // `name` names a run itself; it is not one of the settings that tell the others apart.
  const settings = (r: RunInfo): RunInfo['attributes'] => Object.fromEntries(Object.entries(r.attributes).filter(([k]) => k !== 'name'));
  const differing = differingLabels(new Map(runs.map((r) => [r.handle, settings(r)])));
  return new Map(runs.map((r) => {
    const named = runDisplayName(r);
    return [r.handle, named !== r.handle.slice(0, 8) ? named : (differing.get(r.handle) ?? named)];
  }));
}

/**
 * Each run's color index, stable as runs come and go: runs are numbered in the order they
 * started (ties by handle), so a run logged later never takes an earlier run's color and
 * hiding a run changes no other run's color.
 */
export function runOrder(runs: RunInfo[]): Map<string, number> {
  const sorted = [...runs].sort((a, b) => a.started_at - b.started_at || a.handle.localeCompare(b.handle));
  return new Map(sorted.map((r, i) => [r.handle, i]));
}

/** The runs in view: all, or the newest `latest` of them. */
export function runsInView(runs: RunInfo[], latest: number | null): RunInfo[] {
  const newest = [...runs].sort((a, b) => b.started_at - a.started_at || a.handle.localeCompare(b.handle));
  return latest !== null && latest > 0 ? newest.slice(0, latest) : newest;
}

/** The workspace's own state in its URL, beside the search page's filter parameters. */
export interface WorkspaceState {
  pins: string[];
  closed: string[];
  hidden: string[];
  latest: number | null;
  x: XAxis;
}

const LIST_KEYS = { pins: 'pin', closed: 'closed', hidden: 'hide' } as const;

export function decodeWorkspace(params: URLSearchParams): WorkspaceState {
  const list = (k: string): string[] => params.getAll(k).filter(Boolean);
  const n = Number(params.get('latest'));
  const x = X_AXES.find((a) => a.value === params.get('x'))?.value ?? 'step';
  return { pins: list(LIST_KEYS.pins), closed: list(LIST_KEYS.closed), hidden: list(LIST_KEYS.hidden), latest: Number.isInteger(n) && n > 0 ? n : null, x };
}

/** Writes the state into `params`, replacing what was there, leaving the filter's keys alone. */
export function encodeWorkspace(state: WorkspaceState, params: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(params);
  for (const [k, name] of Object.entries(LIST_KEYS) as [keyof typeof LIST_KEYS, string][]) {
    out.delete(name);
    for (const v of state[k]) out.append(name, v);
  }
  out.delete('latest');
  if (state.latest !== null) out.set('latest', String(state.latest));
  out.delete('x');
  if (state.x !== 'step') out.set('x', state.x);
  return out;
}

/** A plot or dashboard name made of a panel's names: the layout syntax splits on `,` and `;`. */
function safe(text: string): string {
  return text.replace(/[,;&=#?]/g, '_');
}

/** Panels in a dashboard row: the width of the workspace's grid on a laptop screen. */
const BOARD_COLUMNS = 3;

/**
 * The workspace as a saved dashboard: pinned panels first, then each open section's panels,
 * as saved plots (named `name.series.field`) laid out three to a row. Collapsed sections are
 * left out, as they are out of sight in the workspace.
 */
export function workspaceDashboard(name: string, sections: Section[], state: WorkspaceState, filter: RunFilter): { plots: PlotSpec[]; dashboard: { name: string; layout: string; plots: string[] } } {
  const all = sections.flatMap((s) => s.panels);
  const pinned = orderPanels(all, state.pins).filter((p) => state.pins.includes(p.key));
  const open = sections.filter((s) => !state.closed.includes(s.series)).flatMap((s) => s.panels.filter((p) => !state.pins.includes(p.key)));
  const plots = [...pinned, ...open].map((p) => ({ ...panelSpec(p, filter, state.x), name: safe(`${name}.${p.series}.${p.y}`), title: `${p.series}: ${p.y}` }));
  const rows: string[] = [];
  for (let i = 0; i < plots.length; i += BOARD_COLUMNS) rows.push(plots.slice(i, i + BOARD_COLUMNS).map((p) => p.name).join(','));
  const layout = new URLSearchParams({ rows: rows.join(';') }).toString();
  return { plots, dashboard: { name, layout, plots: plots.map((p) => p.name) } };
}
