import { describe, expect, it } from 'vitest';
import { arrowPixels } from './quiverSet';

describe('arrow layout', () => {
  it('points along (u, v), scaled so the longest arrow is `size` pixels', () => {
    const [tx, ty] = arrowPixels(10, 20, 0, 2, 4, 20)!;
    expect(tx).toBeCloseTo(10);
    expect(ty).toBeCloseTo(30); // half the longest: 10 px up
    const full = arrowPixels(0, 0, -3, 4, 5, 20)!;
    expect(Math.hypot(full[0]!, full[1]!)).toBeCloseTo(20);
  });

  it('puts both barbs behind the tip, one on each side of the shaft', () => {
    const [tx, ty, h1x, h1y, h2x, h2y] = arrowPixels(0, 0, 1, 0, 1, 20)!;
    expect([tx, ty]).toEqual([20, 0]);
    expect(h1x!).toBeLessThan(20);
    expect(h2x!).toBeLessThan(20);
    expect(Math.sign(h1y!)).toBe(-Math.sign(h2y!));
  });

  it('draws nothing for a zero vector', () => {
    expect(arrowPixels(0, 0, 0, 0, 1, 20)).toBeNull();
  });
});
