/**
 * How live events change a plot's datasets. A plot reacts only to what concerns the series
 * and runs it shows, so a busy server does not make every plot of a page fetch.
 */
import { api } from '../api/http';
import type { LiveEvent } from '../api/types';
import type { DatasetState } from './dataset';

export function runsOf(datasets: DatasetState[]): string[] {
  return [...new Set(datasets.flatMap((d) => d.runs()))];
}

export function applyLiveEvent(datasets: DatasetState[], ev: LiveEvent): void {
  switch (ev.type) {
    case 'rows_appended':
      for (const ds of datasets) ds.rowsAppended(ev.series, ev.sequence);
      break;
    case 'run_deleted':
      for (const ds of datasets) ds.dropRun(ev.handle);
      break;
    case 'run_replaced':
      for (const ds of datasets) {
        ds.dropRun(ev.run.handle);
        void ds.refetchRun(ev.run.handle);
      }
      break;
    case 'attributes_changed':
    case 'tags_changed':
      // Membership in a filter or a color may have changed: reload the datasets that show it.
      for (const ds of datasets) if (ds.runs().includes(ev.run.handle) || ds.request.filter.tags_any || ds.request.filter.tags_all || ds.request.filter.attributes) void ds.load();
      break;
    default:
      break;
  }
}

/** The socket opened: catch up with whatever was committed before (or while it was down). */
export function catchUp(datasets: DatasetState[], reconnected: boolean): void {
  for (const ds of datasets) if (ds.loaded) void ds.append();
  if (reconnected) void pruneDeletedRuns(datasets);
}

/** Deletions are not replayed after a reconnect: ask which shown runs still exist. */
async function pruneDeletedRuns(datasets: DatasetState[]): Promise<void> {
  const shown = runsOf(datasets);
  if (shown.length === 0) return;
  try {
    const alive = new Set((await api.runs({ handles: shown }, shown.length)).map((r) => r.handle));
    for (const run of shown) if (!alive.has(run)) for (const ds of datasets) ds.dropRun(run);
  } catch {
    // The server went away again; the next reconnect tries again.
  }
}
