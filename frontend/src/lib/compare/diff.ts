/**
 * The compare page's table, as data: which attributes differ between the runs and which are
 * the same, and one row per summarized metric. Kept apart from the page so it is tested
 * without a browser.
 */
import type { AttributeValue, RunInfo } from '../api/types';
import type { FieldSummary, SeriesSummary } from '../api/summaries';
import { RUN_RECORD_SERIES } from '../workspace/panels';

/**
 * The series the program logged itself: what a logger captures on its own (the git diff as
 * `capture` parts, the console, progress bars) is no metric to compare, as the workspace
 * charts none of it (one list, the workspace's). The run page shows those.
 */
function programSeries(found: SeriesSummary[]): SeriesSummary[] {
  return found.filter((s) => !RUN_RECORD_SERIES.has(s.series));
}

export interface AttributeRow {
  name: string;
  /** The value per run, in the runs' order; undefined where a run has none. */
  values: (AttributeValue | undefined)[];
}

const same = (a: AttributeValue | undefined, b: AttributeValue | undefined): boolean =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));

/** Attributes split into those that differ between the runs (a missing value differs) and those all share. */
export function splitAttributes(runs: RunInfo[]): { differ: AttributeRow[]; same: AttributeRow[] } {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.attributes)))].sort();
  const differ: AttributeRow[] = [];
  const alike: AttributeRow[] = [];
  for (const name of names) {
    const values = runs.map((r) => (name in r.attributes ? r.attributes[name] : undefined));
    (values.every((v) => same(v, values[0])) ? alike : differ).push({ name, values });
  }
  return { differ, same: alike };
}

export interface MetricRow {
  series: string;
  field: string;
  /** The summary per run, in the runs' order; undefined where a run has no rows of the series. */
  values: (FieldSummary | undefined)[];
}

/** One row per series and numeric field that any of the runs logged, sorted by series, then field. */
export function metricRows(runs: RunInfo[], found: SeriesSummary[]): MetricRow[] {
  const by = new Map<string, Map<string, FieldSummary>>();
  for (const s of programSeries(found)) {
    for (const [field, f] of Object.entries(s.fields)) {
      const key = `${s.series}\u0000${field}`;
      if (!by.has(key)) by.set(key, new Map());
      by.get(key)?.set(s.run, f);
    }
  }
  return [...by.entries()]
    .map(([key, perRun]) => {
      const [series = '', field = ''] = key.split('\u0000');
      return { series, field, values: runs.map((r) => perRun.get(r.handle)) };
    })
    .sort((a, b) => a.series.localeCompare(b.series) || a.field.localeCompare(b.field));
}

/** Rows logged per series and run. */
export function rowCounts(runs: RunInfo[], found: SeriesSummary[]): { series: string; rows: (number | undefined)[] }[] {
  const names = [...new Set(programSeries(found).map((s) => s.series))].sort();
  return names.map((series) => ({
    series,
    rows: runs.map((r) => found.find((s) => s.series === series && s.run === r.handle)?.rows),
  }));
}
