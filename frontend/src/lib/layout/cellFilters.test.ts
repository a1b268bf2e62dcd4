import { describe, expect, it } from 'vitest';
import type { PlotSpec, RunInfo, SeriesInfo } from '../api/types';
import { NO_RUN, narrowSpec, noSeriesMessage, runMatches } from './cellFilters';

const run = (handle: string, tags: string[]): RunInfo => ({ handle, started_at: 0, tags, attributes: {} });
const RUNS = [run('aaaa1111', ['baseline']), run('bbbb2222', ['ablation-1', 'gpu']), run('cccc3333', [])];
const SERIES: SeriesInfo[] = [
  { name: 'train/loss', fields: ['step', 'loss'] },
  { name: 'val/loss', fields: ['step', 'loss'] },
  { name: 'train/acc', fields: ['step', 'acc'] },
];
const SPEC: PlotSpec = {
  name: 'loss', kind: 'line',
  datasets: [{ series: 'train/loss', bindings: { x: 'step', y: 'loss', color: 'run' } }],
};

describe('runMatches', () => {
  it('matches a run by any tag or by its handle, anywhere unless anchored', () => {
    expect(RUNS.filter((r) => runMatches(/abl/, r)).map((r) => r.handle)).toEqual(['bbbb2222']);
    expect(RUNS.filter((r) => runMatches(/^cccc/, r)).map((r) => r.handle)).toEqual(['cccc3333']);
    expect(RUNS.filter((r) => runMatches(/^gpu$|^baseline$/, r)).length).toBe(2);
  });
});

describe('narrowSpec', () => {
  it('keeps the runs scopes= matches, within the dataset\u2019s own handles', () => {
    const got = narrowSpec(SPEC, { scopes: 'baseline|gpu' }, RUNS, SERIES);
    expect(got.datasets[0]?.filter?.handles).toEqual(['aaaa1111', 'bbbb2222']);
    const own: PlotSpec = { ...SPEC, datasets: [{ ...SPEC.datasets[0]!, filter: { handles: ['bbbb2222'], tags_any: ['x'] } }] };
    expect(narrowSpec(own, { scopes: '.' }, RUNS, SERIES).datasets[0]?.filter).toEqual({ handles: ['bbbb2222'], tags_any: ['x'] });
  });

  it('matches no run with a handle no run has, not with an empty list (which is all)', () => {
    expect(narrowSpec(SPEC, { scopes: 'nothing' }, RUNS, SERIES).datasets[0]?.filter?.handles).toEqual([NO_RUN]);
  });

  it('draws each series names= matches that has the bound fields', () => {
    const got = narrowSpec(SPEC, { names: 'loss$' }, RUNS, SERIES);
    expect(got.datasets.map((d) => d.series)).toEqual(['train/loss', 'val/loss']);
    expect(got.datasets[1]?.bindings).toEqual(SPEC.datasets[0]?.bindings);
    // train/acc has no field `loss`: a plot of loss cannot draw it.
    expect(narrowSpec(SPEC, { names: '^train/' }, RUNS, SERIES).datasets.map((d) => d.series)).toEqual(['train/loss']);
    const none = narrowSpec(SPEC, { names: 'acc' }, RUNS, SERIES);
    expect(none.datasets).toEqual([]);
    expect(noSeriesMessage(SPEC, { names: 'acc' })).toContain('names=acc matches no series with the fields plot "loss" binds (step, loss)');
  });

  it('leaves a spec alone without patterns', () => {
    expect(narrowSpec(SPEC, {}, RUNS, SERIES)).toEqual(SPEC);
  });
});
