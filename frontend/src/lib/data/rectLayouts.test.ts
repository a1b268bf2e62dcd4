import { describe, expect, it } from 'vitest';
import type { DataBatch } from '../api/arrowData';
import type { View } from '../render/layers';
import { RIDGE_OVERLAP } from './rectLayouts';
import { RectSet } from './rectSet';

type Col = Float64Array | { codes: Int32Array; values: string[] };
function batch(columns: Record<string, Col>): DataBatch {
  const first = Object.values(columns)[0] as Float64Array;
  return { length: first.length, reduced: 'cells', lastSequence: 1, columns: new Map(Object.entries(columns)) };
}
const f = (...v: number[]): Float64Array => Float64Array.from(v);
const codes = (values: string[], ...c: number[]): Col => ({ codes: Int32Array.from(c), values });

describe('ridgeline view', () => {
  it('turns each step bin into a ridge on its step, the tallest RIDGE_OVERLAP bins high', () => {
    const set = new RectSet({ keys: [], color: null, aggregate: 'count', view: 'ridgeline' });
    // Two steps (bins [0, 1) and [1, 2)), value bins [0, 1), [1, 2), [2, 3).
    set.replace(batch({
      t_low: f(0, 0, 1, 1, 1), t_high: f(1, 1, 2, 2, 2), bin_low: f(0, 1, 0, 1, 2), bin_high: f(1, 2, 1, 2, 3),
      count: f(5, 10, 2, 4, 8), run: codes(['a'], 0, 0, 0, 0, 0),
    }));
    expect(set.shape).toBe('ridges');
    const fills = [...set.value.keys()].filter((i) => Number.isFinite(set.value[i]));
    expect(fills.length).toBe(5);
    // The later step is drawn first (behind); its fills sit on y = 1, across the values.
    const first = fills[0] as number;
    expect(set.y0[first]).toBe(1);
    expect([set.x0[first], set.x1[first]]).toEqual([0, 1]);
    // Step 0's bin [1, 2) holds the largest count: RIDGE_OVERLAP step bins tall from 0.
    const tallest = fills.find((i) => set.value[i] === 10) as number;
    expect(set.y0[tallest]).toBe(0);
    expect(set.y1[tallest]).toBeCloseTo(RIDGE_OVERLAP);
    const half = fills.find((i) => set.value[i] === 5) as number;
    expect(set.y1[half]).toBeCloseTo(RIDGE_OVERLAP / 2);
    // Outline marks follow each ridge's tops, and hover reads the step, bin and count.
    expect(set.colorKey.filter((k) => k === '\u0000mark').length).toBeGreaterThanOrEqual(10);
    expect(set.readouts[tallest]).toEqual([['step', '[0, 1)'], ['bin', '[1, 2)'], ['count', '10']]);
  });
});

describe('side by side', () => {
  const bars = (view?: string): RectSet => {
    const set = new RectSet({ keys: ['split'], color: 'split', aggregate: 'count', view });
    set.replace(batch({
      x_low: f(-0.5, -0.5, 0.5), x_high: f(0.5, 0.5, 1.5), x_label: codes(['cat', 'dog'], 0, 0, 1),
      count: f(3, 4, 6), split: codes(['train', 'val'], 0, 1, 1), run: codes(['a'], 0, 0, 0),
    }));
    return set;
  };

  it('stacks the colors of a bar by default', () => {
    const set = bars();
    expect([...set.y0]).toEqual([0, 3, 0]);
    expect([set.x0[0], set.x1[0]]).toEqual([set.x0[1], set.x1[1]]);
  });

  it('puts them side by side in the group view, each from 0, a color at one place in every category', () => {
    const set = bars('group');
    expect([...set.y0]).toEqual([0, 0, 0]);
    expect([...set.y1]).toEqual([3, 4, 6]);
    expect(set.x1[0] as number).toBeLessThanOrEqual(set.x0[1] as number); // train left of val
    expect(set.x0[0] as number).toBeGreaterThanOrEqual(-0.5);
    expect(set.x1[1] as number).toBeLessThanOrEqual(0.5);
    // `val` in category dog sits where `val` sits in cat, a category further.
    expect(set.x0[2] as number).toBeCloseTo((set.x0[1] as number) + 1);
  });

  it('splits boxes by color: each category holds one box per color, marks on their box', () => {
    const set = new RectSet({ keys: ['split'], color: 'split', aggregate: 'count' });
    set.replace(batch({
      x_low: f(-0.5, -0.5), x_high: f(0.5, 0.5), x_label: codes(['cat'], 0, 0),
      q1: f(1, 2), median: f(2, 3), q3: f(3, 4), whisker_low: f(0, 1), whisker_high: f(5, 6), count: f(10, 10),
      split: codes(['train', 'val'], 0, 1), run: codes(['a'], 0, 0),
    }));
    expect(set.shape).toBe('boxes');
    expect(set.x1[0] as number).toBeLessThanOrEqual(set.x0[1] as number);
    // The first box's median mark spans the first box only.
    const median = [...set.y0.keys()].find((i) => i >= 2 && set.y0[i] === 2 && set.y1[i] === 2) as number;
    expect([set.x0[median], set.x1[median]]).toEqual([set.x0[0], set.x1[0]]);
  });
});

describe('hover over overlapping ridges', () => {
  it('reads out the ridge in front (the earlier step, drawn last)', async () => {
    const { nearestRect } = await import('../plot/painters/rects');
    const set = new RectSet({ keys: [], color: null, aggregate: 'count', view: 'ridgeline' });
    // Step 0's bin reaches 1.8 step bins up, over step 1's base at 1.
    set.replace(batch({
      t_low: f(0, 1), t_high: f(1, 2), bin_low: f(0, 0), bin_high: f(1, 1), count: f(10, 10),
      run: { codes: Int32Array.from([0, 0]), values: ['a'] },
    }));
    const view: View = { x0: 0, x1: 1, y0: 0, y1: 4, logX: false, logY: false };
    // y = 1.5 of 4 on a 100 px high plot: 62.5 px from the top.
    const hit = nearestRect(set, view, 100, 100, 50, 62.5, null);
    expect(hit?.labels).toContainEqual(['step', '[0, 1)']);
  });
});
