import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../api/types';
import { pagesOf, PAGE_ROWS, rowAt, withPages } from './runSearch';

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

describe('the pages drawn across filter changes', () => {
  const page = (p: number, tag: string): [number, RunInfo[]] => [p, [{ ...run(p), tags: [tag] }]];
  it('keeps an older generation drawn until the new one answers, then replaces it whole', () => {
    let shown = withPages({ pages: new Map(), gen: 0 }, 1, [page(0, 'old'), page(1, 'old')]);
    expect([...shown.pages.keys()]).toEqual([0, 1]);
    // Generation 2 answers its first page: generation 1's pages are all gone.
    shown = withPages(shown, 2, [page(0, 'new')]);
    expect([...shown.pages.keys()]).toEqual([0]);
    expect(rowAt(shown.pages, 0)?.tags).toEqual(['new']);
    // A later page of the same generation joins it.
    shown = withPages(shown, 2, [page(3, 'new')]);
    expect([...shown.pages.keys()]).toEqual([0, 3]);
  });

  it('never lets an older answer replace a newer one', () => {
    const shown = withPages({ pages: new Map(), gen: 0 }, 5, [page(0, 'newer')]);
    expect(withPages(shown, 4, [page(0, 'older')])).toBe(shown);
  });
});
