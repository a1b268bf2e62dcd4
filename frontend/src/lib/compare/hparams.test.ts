import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../api/types';
import { hparamAttributes, parallelSpec, scatterSpec, spansDecades } from './hparams';

const run = (handle: string, attributes: RunInfo['attributes']): RunInfo => ({ handle, started_at: 0, tags: [], attributes });

describe('hyperparameter views', () => {
  const runs = [run('a', { lr: 0.001, opt: 'adam' }), run('b', { lr: 0.3, opt: 'sgd', extra: 1 })];
  const m = { series: 'train', field: 'loss', stat: 'min' as const };

  it('takes the differing attributes every run has', () => {
    expect(hparamAttributes([{ name: 'lr', values: [1, 2] }, { name: 'extra', values: [undefined, 1] }])).toEqual(['lr']);
  });

  it('binds attributes and the metric summary of a per-run dataset of the runs', () => {
    expect(parallelSpec(runs, ['lr', 'opt'], m).datasets[0]).toEqual({
      series: 'train', per_run: true, filter: { handles: ['a', 'b'] }, bindings: { dims: ['attr.lr', 'attr.opt', 'min.loss'], color: 'min.loss' },
    });
    const s = scatterSpec(runs, 'lr', m);
    expect(s.kind).toBe('scatter');
    expect(s.datasets[0]?.bindings).toEqual({ x: 'attr.lr', y: 'min.loss', color: 'run' });
    expect(s.scales?.x).toBe('log');
    expect(scatterSpec(runs, 'opt', m).scales?.x).toBe('lin');
  });

  it('calls a spread over two decades of positive numbers log', () => {
    expect(spansDecades([0.001, 0.1])).toBe(true);
    expect(spansDecades([0.01, 0.5])).toBe(false);
    expect(spansDecades([0, 10])).toBe(false);
  });
});
