/** Summary values of runs' metrics (GET /api/summaries) and dataset downloads (GET /api/export). */
import { apiUrl } from './base';
import { filterParam, getJSON } from './http';
import type { DatasetSpec, RowCondition } from './types';

export interface FieldSummary {
  last: number | null;
  min: number | null;
  max: number | null;
}

/** One run's series: its rows and the last/min/max of each numeric field. */
export interface SeriesSummary {
  run: string;
  series: string;
  rows: number;
  fields: Record<string, FieldSummary>;
}

export function summaries(runs: string[], series: string[] = [], fields: string[] = []): Promise<SeriesSummary[]> {
  const q = new URLSearchParams({ runs: runs.join(',') });
  if (series.length) q.set('series', series.join(','));
  if (fields.length) q.set('fields', fields.join(','));
  return getJSON<SeriesSummary[]>(`/api/summaries?${q.toString()}`);
}

/** The run search's summary columns: a metric, and whether lower or higher is better. */
export interface Metric {
  series: string;
  field: string;
  best: 'min' | 'max';
}

export type ExportFormat = 'csv' | 'parquet';

/**
 * The URL of a dataset's file: the series' fields the dataset binds (all of them when it binds
 * none), then the attributes it binds or joins, for the runs of its filter.
 */
/**
 * The rows a plot shows of a dataset: its facet panel's (`where`) and its frame's (the frame
 * field's value shown, or each run's latest), so a download holds what the panel shows.
 */
export function shownRows(ds: DatasetSpec, frame: number | 'latest' | undefined): RowCondition[] {
  const where = [...(ds.where ?? [])];
  const f = ds.bindings.frame;
  const field = Array.isArray(f) ? f[0] : f;
  if (field) where.push(frame === undefined || frame === 'latest' ? { field, latest: true } : { field, equals: frame });
  return where;
}

export function exportUrl(ds: DatasetSpec, seriesFields: string[], format: ExportFormat, frame?: number | 'latest'): string {
  const bound = Object.values(ds.bindings).flatMap((v) => (Array.isArray(v) ? v : v ? [v] : []));
  const names = [...new Set([...bound, ...(ds.attributes ?? [])])].filter((n) => n !== 'run');
  const fields = seriesFields.filter((f) => names.includes(f));
  const attributes = names.filter((n) => !seriesFields.includes(n));
  const q = [`series=${encodeURIComponent(ds.series)}`, `format=${format}`];
  if (fields.length) q.push(`fields=${encodeURIComponent(fields.join(','))}`);
  if (attributes.length) q.push(`attributes=${encodeURIComponent(attributes.join(','))}`);
  const filter = filterParam(ds.filter);
  if (filter) q.push(filter);
  const where = shownRows(ds, frame);
  if (where.length) q.push(`where=${encodeURIComponent(JSON.stringify(where))}`);
  return apiUrl(`/api/export?${q.join('&')}`);
}
