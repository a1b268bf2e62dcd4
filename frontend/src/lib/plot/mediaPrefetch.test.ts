import { describe, expect, it } from 'vitest';
import { Lru, neighbours } from './mediaPrefetch';

describe('media prefetch', () => {
  it('finds the frames next to the one shown', () => {
    expect(neighbours([0, 10, 20], 10)).toEqual([20, 0]);
    expect(neighbours([0, 10, 20], 'latest')).toEqual([10]);
    expect(neighbours([0, 10, 20], 0)).toEqual([10]);
    expect(neighbours([0, 10, 20], 5)).toEqual([]);
    expect(neighbours([], 'latest')).toEqual([]);
  });

  it('forgets the least recently used entry past its size', () => {
    const lru = new Lru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the newest
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect(lru.has('a') && lru.has('c')).toBe(true);
    expect(lru.size).toBe(2);
  });
});
