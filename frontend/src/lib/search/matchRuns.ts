/**
 * Filtering runs in the browser, with the server's meaning (store/filters.py): every part
 * must hold; tags any/all/none; a value list is "one of"; a range is inclusive; a run
 * without the attribute fails a condition on it. The workspace filters the runs it holds
 * with it; the run search page asks the server (lib/search/runSearch.ts).
 */
import type { RunInfo } from '../api/types';
import type { FilterState } from './filterState';

/** A compiled filter: sets and bounds prepared once per change, then one call per run. */
export type RunTest = (run: RunInfo) => boolean;

export function compile(f: FilterState, skipField: string | null = null): RunTest {
  const any = [...f.tagsAny];
  const all = [...f.tagsAll];
  const none = new Set(f.tagsNone);
  const values = Object.entries(f.values)
    .filter(([k, v]) => k !== skipField && v.length > 0)
    .map(([k, v]) => [k, new Set(v)] as const);
  const ranges = Object.entries(f.ranges)
    .filter(([k, r]) => k !== skipField && (r.min !== null || r.max !== null))
    .map(([k, r]) => [k, { min: r.min, max: r.max }] as const);
  const text = f.text.trim().toLowerCase();
  // Plain locals: the test runs once per run, and `f` may be a reactive proxy.
  const after = f.after;
  const before = f.before;
  return (run) => {
    if (after !== null && !(run.started_at >= after)) return false;
    if (before !== null && !(run.started_at <= before)) return false;
    if (any.length && !any.some((t) => run.tags.includes(t))) return false;
    if (all.length && !all.every((t) => run.tags.includes(t))) return false;
    if (none.size && run.tags.some((t) => none.has(t))) return false;
    for (const [field, set] of values) {
      const v = run.attributes[field];
      if (v === undefined || v === null || !set.has(String(v))) return false;
    }
    for (const [field, r] of ranges) {
      const v = run.attributes[field];
      if (typeof v !== 'number') return false;
      if (r.min !== null && !(v >= r.min)) return false;
      if (r.max !== null && !(v <= r.max)) return false;
    }
    if (text && !run.handle.startsWith(text) && !run.tags.some((t) => t.toLowerCase().includes(text))) return false;
    return true;
  };
}

/**
 * `items` sorted by `cmp`, in place, unless they are in that order already: a linear
 * check first, since runs come newest first (the table's first order) and a filter
 * keeps their order, so most filter changes need no sort of 100,000 runs.
 */
export function sortIfNeeded<T>(items: T[], cmp: (a: T, b: T) => number): T[] {
  let prev: T | undefined;
  let first = true;
  for (const item of items) {
    if (!first && cmp(prev as T, item) > 0) return items.sort(cmp);
    prev = item;
    first = false;
  }
  return items;
}

export function filterRuns(runs: RunInfo[], f: FilterState): RunInfo[] {
  const test = compile(f);
  return runs.filter(test);
}
