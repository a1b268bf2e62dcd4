/**
 * The run search's server calls (docs/http-api.md, "Run search"): the database filters,
 * sorts, counts and pages, so the page holds only the rows it shows (decision 0037).
 */
import { filterParam, getJSON } from '../api/http';
import type { AttributeValue, RunFilter, RunInfo } from '../api/types';

/** What the table lists: a server filter, the free text, and a server sort. */
export interface SearchQuery {
  filter: RunFilter;
  /** A handle prefix or part of a tag, any case. */
  q: string;
  /** started_at, handle, or an attribute field. */
  sort: string;
  desc: boolean;
}

export interface SearchPage {
  total: number;
  offset: number;
  runs: RunInfo[];
}

export interface Facets {
  /** Each tag's count among the matches. */
  tags: Record<string, number>;
  /** Per attribute field, its values' counts among the runs passing every other condition; null: too many values. */
  counts: Record<string, [AttributeValue | null, number][] | null>;
  /** Per numeric field, its distinct values ascending (asked for with `values`). */
  values: Record<string, number[]>;
}

/** Rows per request of the table. */
export const PAGE_ROWS = 100;
/** Rows per request when every match's handle is needed (the server's MAX_RUNS_PER_PAGE). */
const BULK_ROWS = 5000;

function params(query: SearchQuery): string {
  const p = [filterParam(query.filter)];
  if (query.q) p.push(`q=${encodeURIComponent(query.q)}`);
  if (query.sort !== 'started_at' || !query.desc) p.push(`sort=${encodeURIComponent(query.sort)}&desc=${query.desc ? 1 : 0}`);
  return p.filter((x) => x).join('&');
}

export function searchPage(query: SearchQuery, offset: number, limit = PAGE_ROWS, signal?: AbortSignal): Promise<SearchPage> {
  const rest = params(query);
  return getJSON<SearchPage>(`/api/run-search?offset=${offset}&limit=${limit}${rest ? `&${rest}` : ''}`, signal);
}

export function runFacets(query: SearchQuery, values: boolean, signal?: AbortSignal): Promise<Facets> {
  const rest = params({ ...query, sort: 'started_at', desc: true });
  return getJSON<Facets>(`/api/run-facets?values=${values ? 1 : 0}${rest ? `&${rest}` : ''}`, signal);
}

/** Every match's handle, in the table's order ("select all N matches" acting on them). */
export async function matchHandles(query: SearchQuery): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; offset += BULK_ROWS) {
    const page = await searchPage(query, offset, BULK_ROWS);
    for (const r of page.runs) out.push(r.handle);
    if (page.runs.length < BULK_ROWS || out.length >= page.total) return out;
  }
}

/** The rows of a paged listing: pages by index, a row by position (undefined: not loaded yet). */
export function rowAt(pages: Map<number, RunInfo[]>, i: number): RunInfo | undefined {
  return pages.get(Math.floor(i / PAGE_ROWS))?.[i % PAGE_ROWS];
}

/** The page indexes rows [first, last) fall in. */
export function pagesOf(first: number, last: number): number[] {
  const out: number[] = [];
  if (last <= first) return out;
  for (let p = Math.floor(first / PAGE_ROWS); p * PAGE_ROWS < last; p++) out.push(p);
  return out;
}

/** The pages drawn, and the query generation they belong to. */
export interface Shown {
  pages: Map<number, RunInfo[]>;
  gen: number;
}

/**
 * The pages to draw once pages `got` of generation `gen` arrive: they join the pages of
 * their own generation, and replace an older one's whole (kept drawn until then, so a
 * filter change draws the table once, not empty first). An answer older than what is
 * drawn changes nothing.
 */
export function withPages(shown: Shown, gen: number, got: [number, RunInfo[]][]): Shown {
  if (gen < shown.gen) return shown;
  const pages = new Map(shown.gen === gen ? shown.pages : []);
  for (const [p, rs] of got) pages.set(p, rs);
  return { pages, gen };
}
