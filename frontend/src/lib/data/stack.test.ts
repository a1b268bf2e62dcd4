import { describe, expect, it } from 'vitest';
import { Column } from './column';
import { LineSet } from './lineSet';
import { interpolate, StackedLines } from './stack';

describe('stacked areas', () => {
  it('interpolates an earlier line at a later one\u2019s x, 0 outside its range', () => {
    expect([...interpolate(Float64Array.from([0, 10]), Float64Array.from([0, 100]), Float64Array.from([-1, 0, 2.5, 10, 11]))]).toEqual([0, 0, 25, 100, 0]);
  });

  it('puts each line on the ones before it, across different steps', () => {
    const set = new LineSet({ x: 'step', y: 'v', group: [], color: null });
    const line = (key: string, x: number[], y: number[]): void => {
      set.lines.set(key, { key, run: key, labels: [], colorValue: null, x: Column.from(x), y: Column.from(y), sorted: true, rev: 0, reducedLength: x.length });
    };
    line('a', [0, 2, 4], [1, 1, 3]);
    line('b', [1, 3], [10, 20]);
    set.version++;
    const s = new StackedLines(set).update();
    expect([...(s.tops.lines.get('b')?.y.values() ?? [])]).toEqual([11, 22]);
    expect([...(s.fills.lines.get('b')?.y.values() ?? [])]).toEqual([1, 11, 2, 22]);
    expect([...(s.tops.lines.get('a')?.y.values() ?? [])]).toEqual([1, 1, 3]);
  });
});
