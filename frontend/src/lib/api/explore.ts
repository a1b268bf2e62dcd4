/** The API calls of the run search, the builder and the dashboards (docs/http-api.md). */
import { apiUrl } from './base';
import { errorFrom, filterParam, getJSON, ApiError } from './http';
import type { FieldInfo, PlotSpec, RunFilter, RunInfo, SeriesInfo } from './types';

export interface Dashboard {
  name: string;
  /** The URL layout without `?`: `rows=A,B;C&width=1,2`. */
  layout: string;
  plots: string[];
}

export interface FieldValues {
  values: (number | string | boolean | null)[];
  counts: number[];
  truncated: boolean;
}

export interface DatasetSummary {
  runs: number;
  rows: number;
  values: Record<string, FieldValues>;
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `${method} ${path}: the streamvis server cannot be reached (${String(e)})`);
  }
  // 403 (read-only) and every other refusal carry the server's own message.
  if (!res.ok) throw await errorFrom(res, `${method} ${path}`);
  return (await res.json()) as T;
}

const q = (filter: RunFilter): string => {
  const p = filterParam(filter);
  return p ? `?${p}` : '';
};
const enc = encodeURIComponent;

export const explore = {
  runs: () => getJSON<RunInfo[]>('/api/runs'),
  fields: () => getJSON<FieldInfo[]>('/api/fields'),
  series: () => getJSON<SeriesInfo[]>('/api/series'),
  commonSeries: (filter: RunFilter) => getJSON<SeriesInfo[]>(`/api/common-series${q(filter)}`),
  commonAttributes: (filter: RunFilter) => getJSON<FieldInfo[]>(`/api/common-attributes${q(filter)}`),
  summary: (body: { filter: RunFilter; series: string; attributes?: string[]; values?: string[] }) =>
    send<DatasetSummary>('POST', '/api/dataset-summary', body),
  /** The run whose handle is `run` or starts with it (a unique prefix: 404 none, 400 several). */
  run: (run: string) => getJSON<RunInfo>(`/api/runs/${enc(run)}`),
  addTag: (run: string, tag: string) => send<RunInfo>('POST', `/api/runs/${enc(run)}/tags`, { tag }),
  removeTag: (run: string, tag: string) => send<RunInfo>('DELETE', `/api/runs/${enc(run)}/tags/${enc(tag)}`),
  deleteRun: (run: string) => send<Record<string, never>>('DELETE', `/api/runs/${enc(run)}`),
  savePlot: (spec: PlotSpec) => send<PlotSpec>('PUT', `/api/plots/${enc(spec.name)}`, spec),
  deletePlot: (name: string) => send<PlotSpec>('DELETE', `/api/plots/${enc(name)}`),
  dashboards: () => getJSON<Dashboard[]>('/api/dashboards'),
  saveDashboard: (d: Dashboard) => send<Dashboard>('PUT', `/api/dashboards/${enc(d.name)}`, d),
  deleteDashboard: (name: string) => send<Dashboard>('DELETE', `/api/dashboards/${enc(name)}`),
  /** Whether the server refuses changes; false where it has no /api/info. */
  readOnly: async (): Promise<boolean> => {
    try {
      const info = await getJSON<{ read_only?: boolean }>('/api/info');
      return info.read_only === true;
    } catch {
      return false;
    }
  },
};
