/**
 * The legend's run labels: the attributes of the runs a plot shows, fetched once per set of
 * runs, made into labels that say what differs between them (runLabels.ts).
 */
import { api } from '../api/http';
import type { RunInfo } from '../api/types';
import { differingLabels } from './runLabels';

/**
 * How long one answer serves every plot that asks for the same runs. A workspace opens dozens
 * of plots of the same runs at once: one request serves them all instead of one each, which
 * queued behind their data in the browser's six connections. Attributes rarely change; a
 * label a few seconds old is the price.
 */
export const SHARED_MS = 10_000;
const asked = new Map<string, { at: number; infos: Promise<RunInfo[]> }>();

/** The runs' infos, one request for every caller within SHARED_MS. */
export function sharedRuns(runs: string[]): Promise<RunInfo[]> {
  const key = [...runs].sort().join(',');
  const now = performance.now();
  const held = asked.get(key);
  if (held && now - held.at < SHARED_MS) return held.infos;
  for (const [k, v] of asked) if (now - v.at >= SHARED_MS) asked.delete(k);
  const infos = api.runs({ handles: runs }, runs.length);
  asked.set(key, { at: now, infos });
  infos.catch(() => asked.delete(key));
  return infos;
}

export class LegendRuns {
  /** Runs whose attributes were asked for (sorted handles joined), so each set is asked for once. */
  private asked = '';

  /** `done` gets the labels by run handle when they arrive (not at all when the runs changed meanwhile, or the request failed: the legend keeps the short handles). */
  label(runs: string[], done: (labels: Map<string, string>) => void): void {
    const key = [...runs].sort().join(',');
    if (key === this.asked || runs.length === 0) return;
    this.asked = key;
    sharedRuns(runs).then(
      (infos) => {
        if (this.asked === key) done(differingLabels(new Map(infos.map((r) => [r.handle, r.attributes]))));
      },
      () => {},
    );
  }
}
