/**
 * Dashboard layouts that live in the URL:
 *
 *   /?rows=A,B;C&width=1,2&height=1,2&axes=lin,ylog,lin
 *   /?cols=A;B,C&width=2,1&height=1,1,2
 *
 * `rows`: rows separated by `;`, plots in a row by `,`. `width` gives relative widths within
 * rows (one per plot, in order) and `height` relative row heights (one per row). `cols` is the
 * transpose: columns separated by `;`, `width` one per column, `height` one per plot within
 * its column. `axes` is per plot, in order: `lin`, `xlog`, `ylog` or `loglog`. `smooth` is
 * per plot too: an EMA weight (`0.9`), `w25` (a moving window of 25 points) or `off`, over
 * the line plot's own `smooth`; an empty entry keeps it. `xylog` is the older name of
 * `loglog`. `scopes` and `names` are per plot too, regular expressions (the (scope, name,
 * index) era's, docs/compat.md): `scopes` keeps the runs one of whose tags, or whose handle,
 * it matches; `names` draws each series whose name it matches in place of the plot's own
 * (lib/layout/cellFilters.ts); an empty entry keeps the plot's. A cell
 * named `controls:<run handle>` shows that run's controls (logger.control) instead of a plot.
 *
 * Parsing is pure so every malformed URL has a unit test and a message that says what is
 * wrong and how a correct URL looks; the page shows that message instead of going blank.
 */

import type { Smoothing } from '../api/types';

/** The most points a URL's moving window may average: model/limits.py MAX_SMOOTH_WINDOW. */
const MAX_SMOOTH_WINDOW = 10_000;

export type AxesOverride = 'lin' | 'xlog' | 'ylog' | 'loglog';
export const AXES_VALUES: readonly AxesOverride[] = ['lin', 'xlog', 'ylog', 'loglog'];

export interface LayoutCell {
  /** The saved plot spec's name (GET /api/plots/{name}). */
  name: string;
  /** Relative size along the group (width within a row, height within a column). */
  weight: number;
  /** Axis scales from the URL; null means "as the plot spec says". */
  axes: AxesOverride | null;
  /** Smoothing from the URL (`smooth=`), present only when given: it replaces the spec's. */
  smooth?: Smoothing;
  /** `scopes=`: a regular expression the runs shown match by a tag or their handle. */
  scopes?: string;
  /** `names=`: a regular expression naming the series shown in place of the spec's. */
  names?: string;
}

export interface LayoutGroup {
  /** Relative size across groups (row height, or column width). */
  weight: number;
  cells: LayoutCell[];
}

export interface DashboardLayout {
  direction: 'rows' | 'cols';
  groups: LayoutGroup[];
}

export type LayoutResult =
  | { ok: true; layout: DashboardLayout }
  | { ok: false; error: string; example: string };

export const EXAMPLE_URL = '/?rows=loss,accuracy;lr&width=2,1&height=2,1&axes=ylog,lin,lin';

const PARAMS = ['rows', 'cols', 'width', 'height', 'axes', 'smooth', 'scopes', 'names'] as const;

/** Older names of axes values, as the (scope, name, index) era wrote them. */
const AXES_ALIASES: Record<string, AxesOverride> = { xylog: 'loglog' };

/** True when the query string asks for a dashboard (so the router shows one). */
export function hasLayout(params: URLSearchParams): boolean {
  return params.has('rows') || params.has('cols');
}

class LayoutError extends Error {}

function fail(message: string): never {
  throw new LayoutError(message);
}

function parseGroups(text: string, key: string): string[][] {
  if (text.trim() === '') fail(`"${key}" is empty: name at least one plot, e.g. ${key}=loss`);
  return text.split(';').map((group, gi) => {
    const names = group.split(',').map((n) => n.trim());
    names.forEach((n, ni) => {
      if (n === '') {
        const where = group.trim() === '' ? `group ${gi + 1} is empty` : `plot ${ni + 1} of group ${gi + 1} has no name`;
        fail(`"${key}=${text}": ${where} (a stray "," or ";"?)`);
      }
    });
    return names;
  });
}

function parseWeight(raw: string, key: string): number {
  const t = raw.trim();
  const v = Number(t);
  if (t === '' || !Number.isFinite(v) || v <= 0) {
    fail(`"${key}" has "${raw}", which is not a positive number`);
  }
  return v;
}

function parseWeights(text: string, key: string): number[][] {
  return text.split(';').map((g) => g.split(',').map((w) => parseWeight(w, key)));
}

/**
 * Sizes of cells within their groups. Accepts one value per plot in order (flat, or with `;`
 * between groups, which must then match group by group). A flat list may leave out plots
 * that are alone in their group, where a size means nothing: `rows=A,B;C&width=1,2`.
 */
function cellWeights(groups: string[][], text: string | null, key: string, along: string): number[][] {
  if (text === null) return groups.map((g) => g.map(() => 1));
  const given = parseWeights(text, key);
  const counts = groups.map((g) => g.length);
  const total = counts.reduce((a, b) => a + b, 0);
  if (given.length > 1) {
    if (given.length !== groups.length || given.some((g, i) => g.length !== counts[i])) {
      fail(
        `"${key}=${text}" gives ${given.map((g) => g.length).join(';')} sizes per ${along}, ` +
          `but the layout has ${counts.join(';')} plots per ${along}`,
      );
    }
    return given;
  }
  const flat = given[0] ?? [];
  const shared = counts.filter((c) => c > 1).reduce((a, b) => a + b, 0);
  let i = 0;
  if (flat.length === total) return groups.map((g) => g.map(() => flat[i++] as number));
  if (flat.length === shared && shared > 0) {
    return groups.map((g) => (g.length > 1 ? g.map(() => flat[i++] as number) : [1]));
  }
  return fail(
    `"${key}=${text}" gives ${flat.length} sizes, but the layout has ${total} plots` +
      (shared !== total && shared > 0 ? ` (${shared} sharing a ${along})` : '') +
      `: give one per plot, in order`,
  );
}

function groupWeights(count: number, text: string | null, key: string, what: string): number[] {
  if (text === null) return Array.from({ length: count }, () => 1);
  const flat = text.split(/[;,]/).map((w) => parseWeight(w, key));
  if (flat.length !== count) {
    fail(`"${key}=${text}" gives ${flat.length} sizes, but the layout has ${count} ${what}${count === 1 ? '' : 's'}`);
  }
  return flat;
}

function parseAxes(text: string | null, plots: number): (AxesOverride | null)[] {
  const out: (AxesOverride | null)[] = Array.from({ length: plots }, () => null);
  if (text === null) return out;
  const items = text.split(/[;,]/).map((a) => a.trim().toLowerCase());
  if (items.length > plots) {
    fail(`"axes=${text}" gives ${items.length} values, but the layout has ${plots} plot${plots === 1 ? '' : 's'}`);
  }
  items.forEach((a, i) => {
    if (a === '') return; // empty entry: keep the plot spec's own scales
    const alias = AXES_ALIASES[a];
    if (alias !== undefined) {
      out[i] = alias;
      return;
    }
    if (!(AXES_VALUES as readonly string[]).includes(a)) {
      fail(`"axes" has "${a}" for plot ${i + 1}; use one of ${AXES_VALUES.join(', ')}`);
    }
    out[i] = a as AxesOverride;
  });
  return out;
}

const SMOOTH_HELP = 'use an EMA weight from 0 to below 1 (0.9), w and a window of points (w25), or off';

function parseSmooth(text: string | null, plots: number): (Smoothing | null)[] {
  const out: (Smoothing | null)[] = Array.from({ length: plots }, () => null);
  if (text === null) return out;
  const items = text.split(/[;,]/).map((a) => a.trim().toLowerCase());
  if (items.length > plots) {
    fail(`"smooth=${text}" gives ${items.length} values, but the layout has ${plots} plot${plots === 1 ? '' : 's'}`);
  }
  items.forEach((a, i) => {
    if (a === '') return; // empty entry: keep the plot spec's own smoothing
    const n = Number(a.startsWith('w') ? a.slice(1) : a);
    if (a === 'off') out[i] = { ema: 0 };
    else if (a.startsWith('w') && Number.isInteger(n) && n >= 1 && n <= MAX_SMOOTH_WINDOW) out[i] = { window: n };
    else if (!a.startsWith('w') && a !== '' && n >= 0 && n < 1) out[i] = { ema: n };
    else fail(`"smooth" has "${a}" for plot ${i + 1}; ${SMOOTH_HELP} (a window is at most ${MAX_SMOOTH_WINDOW})`);
  });
  return out;
}

/** Per-plot regular expressions (`scopes=`, `names=`), checked here so a bad one is named. */
function parsePatterns(text: string | null, plots: number, key: string): (string | null)[] {
  const out: (string | null)[] = Array.from({ length: plots }, () => null);
  if (text === null) return out;
  const items = text.split(/[;,]/).map((a) => a.trim());
  if (items.length > plots) {
    fail(`"${key}=${text}" gives ${items.length} patterns, but the layout has ${plots} plot${plots === 1 ? '' : 's'}: one per plot, separated by ","`);
  }
  items.forEach((a, i) => {
    if (a === '') return; // empty entry: the plot's own runs or series
    try {
      new RegExp(a);
    } catch (e) {
      fail(`"${key}" has "${a}" for plot ${i + 1}, which is not a regular expression (${e instanceof Error ? e.message : String(e)}); e.g. ${key}=baseline|ablation-.*`);
    }
    out[i] = a;
  });
  return out;
}

/** Parses the layout part of a query string. Returns null when it names no layout. */
export function parseLayout(search: string | URLSearchParams): LayoutResult | null {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  if (!hasLayout(params)) return null;
  try {
    for (const key of PARAMS) {
      if (params.getAll(key).length > 1) fail(`"${key}" is given more than once`);
    }
    if (params.has('rows') && params.has('cols')) fail('give either "rows" or "cols", not both');
    const direction = params.has('rows') ? 'rows' : 'cols';
    const groups = parseGroups(params.get(direction) ?? '', direction);
    const [cellKey, groupKey, along, what] =
      direction === 'rows' ? (['width', 'height', 'row', 'row'] as const) : (['height', 'width', 'column', 'column'] as const);
    const cw = cellWeights(groups, params.get(cellKey), cellKey, along);
    const gw = groupWeights(groups.length, params.get(groupKey), groupKey, what);
    const total = groups.reduce((a, g) => a + g.length, 0);
    const axes = parseAxes(params.get('axes'), total);
    const smooth = parseSmooth(params.get('smooth'), total);
    const scopes = parsePatterns(params.get('scopes'), total, 'scopes');
    const seriesPatterns = parsePatterns(params.get('names'), total, 'names');
    let k = 0;
    const layout: DashboardLayout = {
      direction,
      groups: groups.map((names, gi) => ({
        weight: gw[gi] as number,
        cells: names.map((name, ci) => {
          const [s, sc, nm] = [smooth[k], scopes[k], seriesPatterns[k]];
          return {
            name, weight: cw[gi]?.[ci] ?? 1, axes: axes[k++] ?? null,
            ...(s ? { smooth: s } : {}), ...(sc ? { scopes: sc } : {}), ...(nm ? { names: nm } : {}),
          };
        }),
      })),
    };
    return { ok: true, layout };
  } catch (e) {
    if (e instanceof LayoutError) return { ok: false, error: e.message, example: EXAMPLE_URL };
    throw e;
  }
}

/** A cell `controls:<run handle>` shows that run's controls instead of a plot. */
export const CONTROLS_PREFIX = 'controls:';

/** The run handle of a controls cell, or null for a plot. */
export function controlsRun(name: string): string | null {
  return name.startsWith(CONTROLS_PREFIX) ? name.slice(CONTROLS_PREFIX.length) : null;
}

/** All plot names of a layout, in reading order (controls cells are not plots). */
export function layoutNames(layout: DashboardLayout): string[] {
  return layout.groups.flatMap((g) => g.cells.map((c) => c.name)).filter((n) => controlsRun(n) === null);
}

/** A dashboard URL for the given plot names, one row each pair: used in help messages. */
export function exampleFor(names: string[]): string {
  if (names.length === 0) return EXAMPLE_URL;
  const rows: string[] = [];
  for (let i = 0; i < names.length && i < 4; i += 2) rows.push(names.slice(i, i + 2).map(encodeURIComponent).join(','));
  return `/?rows=${rows.join(';')}`;
}
