import { describe, expect, it } from 'vitest';
import type { DataBatch } from '../api/arrowData';
import { bandReach, RectSet } from './rectSet';

function batch(columns: Record<string, Float64Array | { codes: Int32Array; values: string[] }>): DataBatch {
  const length = Object.values(columns)[0]?.constructor === Float64Array ? (Object.values(columns)[0] as Float64Array).length : 0;
  return { length, reduced: 'bins', lastSequence: 1, columns: new Map(Object.entries(columns)) };
}

const f = (...v: number[]): Float64Array => Float64Array.from(v);

describe('RectSet', () => {
  it('stacks the parts of a histogram in each bin', () => {
    const set = new RectSet({ keys: [], color: null, aggregate: 'count' });
    set.replace(batch({
      bin_low: f(0, 1, 0), bin_high: f(1, 2, 1), count: f(3, 4, 5),
      run: { codes: Int32Array.from([0, 0, 1]), values: ['a', 'b'] },
    }));
    expect(set.shape).toBe('bars');
    expect([...set.y0]).toEqual([0, 0, 3]);
    expect([...set.y1]).toEqual([3, 4, 8]);
    expect(set.colorKey).toEqual(['a', 'a', 'b']);
    expect(set.readouts[2]).toContainEqual(['count', '5']);
    expect(set.dropRun('a')).toBe(true);
    expect(set.runs()).toEqual(['b']);
  });

  it('puts a histogram over time on (step, value) cells colored by count', () => {
    const set = new RectSet({ keys: [], color: null, aggregate: 'count' });
    set.replace(batch({
      t_low: f(-0.5, 0.5), t_high: f(0.5, 1.5), bin_low: f(0, 2), bin_high: f(2, 4), count: f(7, 9),
      run: { codes: Int32Array.from([0, 0]), values: ['a'] },
    }));
    expect(set.shape).toBe('cells');
    expect([...set.x0]).toEqual([-0.5, 0.5]);
    expect([...set.y1]).toEqual([2, 4]);
    expect([...set.value]).toEqual([7, 9]);
  });

  it('draws boxes with their median and whiskers, and category labels', () => {
    const set = new RectSet({ keys: [], color: null, aggregate: 'count' });
    set.replace(batch({
      x_low: f(-0.5), x_high: f(0.5), x_label: { codes: Int32Array.from([0]), values: ['cat'] },
      q1: f(1), median: f(2), q3: f(3), whisker_low: f(0), whisker_high: f(5), count: f(10),
      outliers: { codes: Int32Array.from([0]), values: ['[-4,9.5]'] },
      run: { codes: Int32Array.from([0]), values: ['a'] },
    }));
    expect(set.shape).toBe('boxes');
    expect(set.length).toBe(6); // the box, its median, two whiskers, two outliers
    expect([set.y0[5], set.y1[5]]).toEqual([9.5, 9.5]);
    expect([set.y0[0], set.y1[0]]).toEqual([1, 3]);
    expect([set.y0[3], set.y1[3]]).toEqual([3, 5]);
    expect(set.xLabels.get(0)).toBe('cat');
  });

  it('draws a histogram over steps as percentile bands in the distribution view', () => {
    const set = new RectSet({ keys: [], color: null, aggregate: 'count', view: 'distribution' });
    set.replace(batch({
      t_low: f(-0.5, -0.5), t_high: f(0.5, 0.5), bin_low: f(1, 0), bin_high: f(2, 1), count: f(50, 50),
      run: { codes: Int32Array.from([0, 0]), values: ['a'] },
    }));
    expect(set.shape).toBe('bands');
    expect(set.length).toBe(8);
    expect(set.y0[0]).toBe(0);
    expect(set.y1[3]).toBeCloseTo(1);
    expect(set.y1[7]).toBe(2);
    expect(set.colorKey[3]).toBe('\u0000band:3');
    expect(set.readouts[0]).toContainEqual(['p50', '1']);
  });

  it('joins the bands of a run to its next step with rows, each run by itself', () => {
    const set = new RectSet({ keys: [], color: null, aggregate: 'count', view: 'distribution' });
    // Run a has rows at steps 0 and 10 (bins one step wide), run b at step 0 only.
    set.replace(batch({
      t_low: f(-0.5, 9.5, -0.5), t_high: f(0.5, 10.5, 0.5), bin_low: f(0, 0, 0), bin_high: f(1, 1, 1), count: f(5, 5, 5),
      run: { codes: Int32Array.from([0, 0, 1]), values: ['a', 'b'] },
    }));
    const spans = new Set<string>();
    for (let i = 0; i < set.length; i++) spans.add(`${set.runOf[i]}:${set.x0[i]}-${set.x1[i]}`);
    // Two runs side by side: a takes the first half of each span, b the second.
    expect([...spans].sort()).toEqual(['a:-0.5-4.5', 'a:9.5-10', 'b:0-0.5']);
  });

  it('bandReach never ends a bin before its own end', () => {
    const x0 = [0, 1, 5];
    const x1 = [2, 2, 6];
    const reach = bandReach([[0], [1], [2]], () => 'r', (i) => x0[i] as number, (i) => x1[i] as number);
    expect([reach.get(0), reach.get(1), reach.get(2)]).toEqual([2, 5, 6]);
  });
});
