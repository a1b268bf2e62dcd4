import { describe, expect, it } from 'vitest';
import { chooseOrigin, naiveOffsetPx, packPoints, shaderOffsetPx, splitHi, splitLo } from './precision';

// A 1000-pixel-wide view of [x0, x0 + 10]: 100 pixels per unit.
const W = 1000;
const SPAN = 10;

function pixelOf(x: number, origin: number, viewStart: number): number {
  const out = new Float32Array(4);
  packPoints([x], [0], 0, 1, origin, 0, out);
  const s = viewStart - origin;
  return Math.floor(shaderOffsetPx(out[0] as number, out[2] as number, splitHi(s), splitLo(s), W / SPAN));
}

describe('float32 precision on the GPU', () => {
  it('loses points one apart at 1.7e9 without help', () => {
    const a = Math.floor(naiveOffsetPx(1.7e9, 1.7e9 - 5, W / SPAN));
    const b = Math.floor(naiveOffsetPx(1.7e9 + 1, 1.7e9 - 5, W / SPAN));
    expect(a).toBe(b); // the bug this module exists for
  });

  it('keeps points one apart at 1.7e9 apart with an origin', () => {
    const origin = chooseOrigin([1.7e9, 1.7e9 + 1]);
    const a = pixelOf(1.7e9, origin, 1.7e9 - 5);
    const b = pixelOf(1.7e9 + 1, origin, 1.7e9 - 5);
    expect(a).toBe(500);
    expect(b).toBe(600);
  });

  it('keeps them apart even when the origin is far away (data from 0 to 1.7e9)', () => {
    const origin = chooseOrigin([0, 1.7e9 + 1]);
    expect(Math.abs(origin - 8.5e8)).toBeLessThan(2);
    const a = pixelOf(1.7e9, origin, 1.7e9 - 5);
    const b = pixelOf(1.7e9 + 1, origin, 1.7e9 - 5);
    expect(a).toBe(500);
    expect(b).toBe(600);
  });

  it('holds at millions of steps with fractional positions', () => {
    const origin = 0;
    const a = pixelOf(12_345_678.25, origin, 12_345_678);
    expect(a).toBe(25);
  });

  it('splits exactly: hi + lo equals the value to float32 rounding of the rest', () => {
    const v = 1700000001.123;
    expect(splitHi(v) + splitLo(v)).toBeCloseTo(v, 4);
    expect(chooseOrigin([NaN, Infinity])).toBe(0);
  });
});
