import { describe, expect, it } from 'vitest';
import type { ColumnData, DataBatch } from '../api/arrowData';
import { PointSet } from './pointSet';
import { shownPoints } from './pointView';

function set(color: ColumnData): PointSet {
  const pts = new PointSet({ x: 'x', y: 'y', color: 'c', size: null });
  const batch: DataBatch = {
    length: 3, reduced: 'none', lastSequence: 0,
    columns: new Map<string, ColumnData>([['x', new Float64Array([1, 2, 3])], ['y', new Float64Array([4, 5, 6])], ['run', { codes: new Int32Array([0, 0, 0]), values: ['r'] }], ['c', color]]),
  };
  pts.replace(batch);
  return pts;
}

describe('points as shown', () => {
  it('leaves out the hidden categories, and is the same set when nothing changes', () => {
    const pts = set({ codes: new Int32Array([0, 1, 0]), values: ['adam', 'sgd'] });
    expect(shownPoints(pts, { hidden: new Set(), logColor: false })).toBe(pts);
    const shown = shownPoints(pts, { hidden: new Set([0]), logColor: false });
    expect([...shown.x.values()]).toEqual([2]);
    expect(shownPoints(pts, { hidden: new Set([0]), logColor: false })).toBe(shown);
    const other = shownPoints(pts, { hidden: new Set([1]), logColor: false });
    expect([...other.x.values()]).toEqual([1, 3]);
    expect(other.rev).not.toBe(shown.rev);
  });

  it('takes log10 of a continuous color, non-positive as NaN, leaving the points whole', () => {
    const pts = set(new Float64Array([0.001, 10, -1]));
    const shown = shownPoints(pts, { hidden: new Set(), logColor: true });
    expect([...shown.color.values()]).toEqual([-3, 1, NaN]);
    expect([...pts.color.values()]).toEqual([0.001, 10, -1]);
  });
});
