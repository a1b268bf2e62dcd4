import { describe, expect, it } from 'vitest';
import { nextPage, PAGE } from './explore';

describe('nextPage', () => {
  it('follows the Link header with full-size pages, keeping the filter', () => {
    const link = '<?filter=%7B%22tags_any%22%3A%5B%22a%22%5D%7D&limit=500&after=r1.0x1p%2B0.7>; rel="next"';
    const path = nextPage(link);
    expect(path).not.toBeNull();
    const q = new URLSearchParams((path as string).split('?')[1]);
    expect(path?.startsWith('/api/runs?')).toBe(true);
    expect(q.get('after')).toBe('r1.0x1p+0.7');
    expect(q.get('filter')).toBe('{"tags_any":["a"]}');
    expect(q.get('limit')).toBe(String(PAGE));
  });

  it('ends at the last page', () => {
    expect(nextPage(null)).toBeNull();
    expect(nextPage('<https://elsewhere/>; rel="prev"')).toBeNull();
  });
});
