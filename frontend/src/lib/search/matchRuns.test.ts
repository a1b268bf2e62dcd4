import { describe, expect, it } from 'vitest';
import { sortIfNeeded } from './matchRuns';

describe('sortIfNeeded', () => {
  const desc = (a: number, b: number): number => b - a;

  it('leaves a list in order as it is, without calling sort', () => {
    const items = [5, 4, 4, 1];
    const sort = items.sort.bind(items);
    let sorted = 0;
    items.sort = (cmp) => {
      sorted += 1;
      return sort(cmp);
    };
    expect(sortIfNeeded(items, desc)).toBe(items);
    expect(sorted).toBe(0);
  });

  it('sorts a list out of order, in place', () => {
    const items = [5, 1, 4, 2];
    expect(sortIfNeeded(items, desc)).toBe(items);
    expect(items).toEqual([5, 4, 2, 1]);
    // Out of order only at the end (a run a live event appended).
    expect(sortIfNeeded([3, 2, 1, 9], desc)).toEqual([9, 3, 2, 1]);
  });

  it('takes empty and one-item lists', () => {
    expect(sortIfNeeded([], desc)).toEqual([]);
    expect(sortIfNeeded([7], desc)).toEqual([7]);
  });
});
