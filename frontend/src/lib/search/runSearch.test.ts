import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../api/types';
import { pagesOf, PAGE_ROWS, rowAt } from './runSearch';

const run = (i: number): RunInfo => ({ handle: `h${i}`, started_at: i, tags: [], attributes: {} });

describe('the table rows of a paged listing', () => {
  it('names the pages a range of rows falls in', () => {
    expect(pagesOf(0, 1)).toEqual([0]);
    expect(pagesOf(0, PAGE_ROWS)).toEqual([0]);
    expect(pagesOf(PAGE_ROWS - 1, PAGE_ROWS + 1)).toEqual([0, 1]);
    expect(pagesOf(5 * PAGE_ROWS + 3, 7 * PAGE_ROWS)).toEqual([5, 6]);
    expect(pagesOf(10, 10)).toEqual([]);
  });

  it('finds a row by position, undefined where its page is not loaded', () => {
    const pages = new Map([[2, Array.from({ length: PAGE_ROWS }, (_, i) => run(2 * PAGE_ROWS + i))]]);
    expect(rowAt(pages, 2 * PAGE_ROWS + 7)?.handle).toBe(`h${2 * PAGE_ROWS + 7}`);
    expect(rowAt(pages, 7)).toBeUndefined();
    expect(rowAt(pages, 3 * PAGE_ROWS)).toBeUndefined();
  });
});
