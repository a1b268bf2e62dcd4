/**
 * A dashboard cell's `scopes=` and `names=` (lib/layout/urlLayout.ts), the (scope, name,
 * index) era's way to pick what a plot shows, applied to the plot's saved spec:
 *
 * - `scopes`: a regular expression; the plot shows only the runs one of whose tags, or whose
 *   handle, it matches (the rule of streamvis.script's `scopes=`, docs/compat.md), on top
 *   of each dataset's own filter.
 * - `names`: a regular expression; each dataset is drawn for every series whose name it
 *   matches and that has the fields the dataset binds (so `names=/loss$` draws `train/loss`
 *   and `val/loss` with the bindings of a plot of one of them).
 *
 * Pure, so each rule has a unit test; the page fetches the runs and series once.
 */

import type { DatasetSpec, PlotSpec, RunInfo, SeriesInfo } from '../api/types';

/** A handle no run has: a filter of it matches nothing (an empty list would match all). */
export const NO_RUN = '00000000-0000-0000-0000-000000000000';

/** Whether `scopes=` selects the run: one of its tags, or its handle, matches. */
export function runMatches(scopes: RegExp, run: RunInfo): boolean {
  return run.tags.some((t) => scopes.test(t)) || scopes.test(run.handle);
}

/** The fields a dataset binds (the pseudo-field `run` aside). */
function boundFields(d: DatasetSpec): string[] {
  return Object.values(d.bindings)
    .flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .filter((f) => f !== 'run');
}

export interface CellPatterns {
  scopes?: string;
  names?: string;
}

/** The spec narrowed to the cell's scopes and names; `runs` and `series` are the server's. */
export function narrowSpec(spec: PlotSpec, cell: CellPatterns, runs: RunInfo[], series: SeriesInfo[]): PlotSpec {
  let datasets = spec.datasets;
  if (cell.names) {
    const names = new RegExp(cell.names);
    datasets = datasets.flatMap((d) => {
      const need = boundFields(d);
      return series
        .filter((s) => names.test(s.name) && need.every((f) => s.fields.includes(f)))
        .map((s) => ({ ...d, series: s.name }));
    });
  }
  if (cell.scopes) {
    const scopes = new RegExp(cell.scopes);
    const picked = runs.filter((r) => runMatches(scopes, r)).map((r) => r.handle);
    datasets = datasets.map((d) => {
      const own = d.filter?.handles;
      const handles = own ? picked.filter((h) => own.includes(h)) : picked;
      return { ...d, filter: { ...(d.filter ?? {}), handles: handles.length > 0 ? handles : [NO_RUN] } };
    });
  }
  return { ...spec, datasets };
}

/** What to say when `names=` left a plot nothing to draw. */
export function noSeriesMessage(spec: PlotSpec, cell: CellPatterns): string {
  const fields = [...new Set(spec.datasets.flatMap(boundFields))];
  return `names=${cell.names ?? ''} matches no series with the fields plot "${spec.name}" binds (${fields.join(', ')}): ` +
    'give a pattern that matches series of these fields, or leave this plot\u2019s entry empty';
}
