import { describe, expect, it } from 'vitest';
import { cacheLayout } from './dataPainter';

describe('cacheLayout', () => {
  it('gives whole-pixel margins so the view starts on a texel at any size', () => {
    for (const h of [636, 637, 638, 639, 652]) {
      const { py, ch } = cacheLayout(800, h, 8192);
      expect(Number.isInteger(py)).toBe(true);
      expect(ch).toBe(h + 2 * py);
      expect(py).toBe(Math.round(h / 4));
    }
    expect(cacheLayout(801, 10, 8192).px).toBe(401);
  });

  it('drops a margin that would pass the texture limit', () => {
    expect(cacheLayout(3000, 100, 4096)).toEqual({ px: 0, py: 25, cw: 3000, ch: 150 });
  });
});
