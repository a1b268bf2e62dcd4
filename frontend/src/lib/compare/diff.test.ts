import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../api/types';
import { RUN_RECORD_SERIES } from '../workspace/panels';
import { metricRows, rowCounts, splitAttributes } from './diff';

const run = (handle: string, attributes: RunInfo['attributes']): RunInfo => ({ handle, started_at: 0, tags: [], attributes });

describe('splitAttributes', () => {
  it('puts an attribute that differs (or is missing somewhere) apart from those all share', () => {
    const runs = [run('a', { lr: 0.1, opt: 'adam', seed: 1, nan: NaN }), run('b', { lr: 0.2, opt: 'adam', seed: 1, nan: NaN }), run('c', { lr: 0.1, opt: 'adam', nan: NaN })];
    const { differ, same } = splitAttributes(runs);
    expect(differ.map((r) => r.name)).toEqual(['lr', 'seed']);
    expect(differ[1]?.values).toEqual([1, 1, undefined]);
    expect(same.map((r) => r.name)).toEqual(['nan', 'opt']);
  });
});

describe('metricRows', () => {
  it('gives one row per series and field, each run in order, missing where a run has no rows', () => {
    const runs = [run('a', {}), run('b', {})];
    const rows = metricRows(runs, [
      { run: 'b', series: 'train', rows: 2, fields: { loss: { last: 1, min: 1, max: 2 } } },
      { run: 'a', series: 'eval', rows: 1, fields: { acc: { last: 0.5, min: 0.5, max: 0.5 } } },
    ]);
    expect(rows.map((r) => `${r.series}.${r.field}`)).toEqual(['eval.acc', 'train.loss']);
    expect(rows[1]?.values).toEqual([undefined, { last: 1, min: 1, max: 2 }]);
    expect(rowCounts(runs, [{ run: 'b', series: 'train', rows: 2, fields: {} }])).toEqual([{ series: 'train', rows: [undefined, 2] }]);
  });
});

describe('captured series', () => {
  it('leave the metrics and row counts, as they leave the workspace (its list)', () => {
    const runs = [run('a', {})];
    const found = [
      { run: 'a', series: 'train', rows: 2, fields: { loss: { last: 1, min: 1, max: 2 } } },
      ...[...RUN_RECORD_SERIES].map((series) => ({ run: 'a', series, rows: 3, fields: { 'capture.part': { last: 0, min: 0, max: 1 } } })),
    ];
    expect(RUN_RECORD_SERIES.has('capture')).toBe(true);
    expect(metricRows(runs, found).map((r) => `${r.series}.${r.field}`)).toEqual(['train.loss']);
    expect(rowCounts(runs, found).map((r) => r.series)).toEqual(['train']);
  });
});

