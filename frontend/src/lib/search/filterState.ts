/**
 * The run search's filter state and its URL form, so a search is a link:
 *
 *   /runs?any=baseline&all=v2&none=broken&in.optimizer=adam&in.optimizer=sgd
 *        &range.lr=0.0001..0.01&after=2025-01-01T00:00&before=&q=3fa8
 *
 * Repeated keys carry lists (no escaping of commas inside values); `range.F=lo..hi` may
 * leave either end empty. Values are kept as the strings the URL holds and compared with
 * each run's value as a string, so decoding needs no field types; `toRunFilter` types
 * them for the server.
 */
import { parseTyped } from '../api/fieldTypes.svelte';
import type { AttributeValue, FieldType, RunFilter } from '../api/types';

export interface Range {
  min: number | null;
  max: number | null;
}

export interface FilterState {
  tagsAny: string[];
  tagsAll: string[];
  tagsNone: string[];
  /** field → accepted values (as strings); a field with none listed is not filtered. */
  values: Record<string, string[]>;
  ranges: Record<string, Range>;
  /** started_at bounds, unix seconds. */
  after: number | null;
  before: number | null;
  /** Text matched against run handles and tags. */
  text: string;
}

export function emptyFilter(): FilterState {
  return { tagsAny: [], tagsAll: [], tagsNone: [], values: {}, ranges: {}, after: null, before: null, text: '' };
}

function num(text: string): number | null {
  if (text.trim() === '') return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/** Seconds ↔ ISO 8601 in UTC (readable in a link; milliseconds only when there are some). */
export function secondsToIso(s: number): string {
  return new Date(s * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function isoToSeconds(text: string): number | null {
  if (text.trim() === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

const uniq = (xs: string[]): string[] => [...new Set(xs.filter((x) => x !== ''))];

export function decodeFilter(search: string | URLSearchParams): FilterState {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const f = emptyFilter();
  f.tagsAny = uniq(p.getAll('any'));
  f.tagsAll = uniq(p.getAll('all'));
  f.tagsNone = uniq(p.getAll('none'));
  for (const [key, value] of p) {
    if (key.startsWith('in.') && key.length > 3) {
      const field = key.slice(3);
      f.values[field] = uniq([...(f.values[field] ?? []), value]);
    } else if (key.startsWith('range.') && key.length > 6) {
      const [lo = '', hi = ''] = value.split('..');
      const r = { min: num(lo), max: num(hi) };
      if (r.min !== null || r.max !== null) f.ranges[key.slice(6)] = r;
    }
  }
  f.after = isoToSeconds(p.get('after') ?? '');
  f.before = isoToSeconds(p.get('before') ?? '');
  f.text = p.get('q') ?? '';
  return f;
}

/** The query string (without `?`), keys in a fixed order so equal states give equal links. */
export function encodeFilter(f: FilterState): string {
  const p = new URLSearchParams();
  for (const t of f.tagsAny) p.append('any', t);
  for (const t of f.tagsAll) p.append('all', t);
  for (const t of f.tagsNone) p.append('none', t);
  for (const field of Object.keys(f.values).sort()) for (const v of f.values[field] ?? []) p.append(`in.${field}`, v);
  for (const field of Object.keys(f.ranges).sort()) {
    const r = f.ranges[field];
    if (!r || (r.min === null && r.max === null)) continue;
    p.append(`range.${field}`, `${r.min ?? ''}..${r.max ?? ''}`);
  }
  if (f.after !== null) p.append('after', secondsToIso(f.after));
  if (f.before !== null) p.append('before', secondsToIso(f.before));
  if (f.text !== '') p.append('q', f.text);
  return p.toString();
}

/** The server's form of the state (docs/http-api.md), for /api/data and friends. `text` has no server form. */
export function toRunFilter(f: FilterState, types: Map<string, FieldType>): RunFilter {
  const out: RunFilter = {};
  if (f.tagsAny.length) out.tags_any = [...f.tagsAny];
  if (f.tagsAll.length) out.tags_all = [...f.tagsAll];
  if (f.tagsNone.length) out.tags_none = [...f.tagsNone];
  const attrs: NonNullable<RunFilter['attributes']> = [];
  for (const field of Object.keys(f.values).sort()) {
    const vals = f.values[field] ?? [];
    if (vals.length) attrs.push({ field, in: vals.map((v) => parseTyped(v, types.get(field))) });
  }
  for (const field of Object.keys(f.ranges).sort()) {
    const r = f.ranges[field];
    if (!r || (r.min === null && r.max === null)) continue;
    attrs.push({ field, ...(r.min !== null ? { min: r.min } : {}), ...(r.max !== null ? { max: r.max } : {}) });
  }
  if (attrs.length) out.attributes = attrs;
  if (f.after !== null) out.started_after = f.after;
  if (f.before !== null) out.started_before = f.before;
  return out;
}

/**
 * The state a server filter reads back as, so a saved filter can be shown as a search link;
 * null where the link cannot carry it (a list of run handles, or two conditions on one field).
 */
export function fromRunFilter(r: RunFilter): FilterState | null {
  if (r.handles?.length) return null;
  const f = emptyFilter();
  f.tagsAny = [...(r.tags_any ?? [])];
  f.tagsAll = [...(r.tags_all ?? [])];
  f.tagsNone = [...(r.tags_none ?? [])];
  for (const c of r.attributes ?? []) {
    const listed = c.in ?? (c.equals !== undefined ? [c.equals] : null);
    if (listed) {
      if (f.values[c.field]) return null;
      f.values[c.field] = listed.map(String);
    }
    if (c.min !== undefined || c.max !== undefined) {
      if (f.ranges[c.field]) return null;
      f.ranges[c.field] = { min: c.min ?? null, max: c.max ?? null };
    }
  }
  f.after = r.started_after ?? null;
  f.before = r.started_before ?? null;
  return f;
}

/** JSON with object keys sorted, so equal filters give equal text whatever order they were written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Whether two server filters are the same (no filter is all runs, as `{}` is). */
export function sameRunFilter(a: RunFilter | undefined, b: RunFilter | undefined): boolean {
  return canonical(a ?? {}) === canonical(b ?? {});
}

export function isEmpty(f: FilterState): boolean {
  return encodeFilter(f) === '';
}
