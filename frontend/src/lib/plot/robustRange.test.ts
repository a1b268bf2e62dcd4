import { describe, expect, it } from 'vitest';
import { quantile, robustRange, sortedSample } from './robustRange';

/** A decaying loss (2 → 0.05) with a six-fold spike every 50 steps. */
function spikyLoss(n = 1000): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const v = 0.05 + 2 * Math.exp(-i / 150);
    return i % 50 === 25 ? 6 * v : v;
  });
}

describe('robust y range', () => {
  it('follows the percentiles of spiky data in auto mode, leaving the spikes off the top', () => {
    const ys = spikyLoss();
    const s = sortedSample([ys]);
    const r = robustRange('auto', s, Math.min(...ys), Math.max(...ys));
    expect(r).not.toBeNull();
    const [lo, hi] = r as [number, number];
    expect(hi).toBeLessThan(Math.max(...ys) / 3);
    expect(hi).toBeGreaterThan(quantile(s, 0.99));
    expect(lo).toBeGreaterThanOrEqual(Math.min(...ys));
  });
  it('keeps the full range of smooth data in auto mode, and always in full mode', () => {
    const ys = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i / 20));
    const s = sortedSample([ys]);
    expect(robustRange('auto', s, -1, 1)).toBeNull();
    expect(robustRange('full', sortedSample([spikyLoss()]), 0, 12)).toBeNull();
  });
  it('robust mode never reaches past the data', () => {
    const ys = Float64Array.from({ length: 1001 }, (_, i) => i);
    const r = robustRange('robust', sortedSample([ys]), 0, 1000) as [number, number];
    expect(r[0]).toBe(0);
    expect(r[1]).toBe(1000);
  });
  it('samples evenly and drops what is not finite', () => {
    const s = sortedSample([Float64Array.from([3, NaN, 1, 2])]);
    expect([...s]).toEqual([1, 2, 3]);
    expect(sortedSample([new Float64Array(100_000)], (v) => v, 1000).length).toBe(1000);
    expect(quantile(Float64Array.from([0, 10]), 0.5)).toBe(5);
  });
});

describe('sortedSample', () => {
  it('takes every stride-th value across the columns, as if they were one, sorted', () => {
    const cols = [[9, 1, 2, 3, 8], [4, 5, 6, 0, 7, 1, 2], [3, 3, 3]];
    const flat = cols.flat();
    const want = flat.filter((_, k) => k % 4 === 0).sort((a, b) => a - b);
    expect([...sortedSample(cols, undefined, 4)]).toEqual(want);
    expect([...sortedSample(cols)]).toEqual([...flat].sort((a, b) => a - b));
    expect([...sortedSample([[1, NaN, Infinity, -2]])]).toEqual([-2, 1]);
  });
});
