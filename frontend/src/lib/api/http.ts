/** JSON requests to the web app, with its error bodies turned into readable errors. */
import { apiUrl } from './base';
import type { FieldInfo, PlotSpec, RunFilter, RunInfo } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads `{"error", "message"}` from a failed response, or says what came back instead. */
export async function errorFrom(res: Response, what: string): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = `${what}: the server answered ${res.status} ${res.statusText}`;
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object') {
      const b = body as { error?: unknown; message?: unknown };
      if (typeof b.error === 'string') code = b.error;
      if (typeof b.message === 'string') message = `${what}: ${b.message}`;
    }
  } catch {
    // Not JSON (a proxy's page, say): the status line is all there is.
  }
  return new ApiError(res.status, code, message);
}

export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), { headers: { Accept: 'application/json' }, signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', `GET ${path}: the streamvis server cannot be reached (${String(e)})`);
  }
  if (!res.ok) throw await errorFrom(res, `GET ${path}`);
  return (await res.json()) as T;
}

export function filterParam(filter: RunFilter | undefined): string {
  return filter && Object.keys(filter).length > 0 ? `filter=${encodeURIComponent(JSON.stringify(filter))}` : '';
}

export const api = {
  plots: (signal?: AbortSignal) => getJSON<PlotSpec[]>('/api/plots', signal),
  plot: (name: string, signal?: AbortSignal) => getJSON<PlotSpec>(`/api/plots/${encodeURIComponent(name)}`, signal),
  fields: (signal?: AbortSignal) => getJSON<FieldInfo[]>('/api/fields', signal),
  runs: (filter?: RunFilter, limit?: number, signal?: AbortSignal) => {
    const q = [filterParam(filter), limit ? `limit=${limit}` : ''].filter(Boolean).join('&');
    return getJSON<RunInfo[]>(`/api/runs${q ? `?${q}` : ''}`, signal);
  },
};
