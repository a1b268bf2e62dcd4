/**
 * The legend's run labels: the attributes of the runs a plot shows, fetched once per set of
 * runs, made into labels that say what differs between them (runLabels.ts).
 */
import { api } from '../api/http';
import { differingLabels } from './runLabels';

export class LegendRuns {
  /** Runs whose attributes were asked for (sorted handles joined), so each set is asked for once. */
  private asked = '';

  /** `done` gets the labels by run handle when they arrive (not at all when the runs changed meanwhile, or the request failed: the legend keeps the short handles). */
  label(runs: string[], done: (labels: Map<string, string>) => void): void {
    const key = [...runs].sort().join(',');
    if (key === this.asked || runs.length === 0) return;
    this.asked = key;
    api.runs({ handles: runs }, runs.length).then(
      (infos) => {
        if (this.asked === key) done(differingLabels(new Map(infos.map((r) => [r.handle, r.attributes]))));
      },
      () => {},
    );
  }
}
