import { describe, expect, it } from 'vitest';
import { Column } from './column';
import { LineSet } from './lineSet';
import { emaDebiased, isSmoothing, movingWindow, SmoothedLines } from './smooth';

/** TensorBoard's smoothing loop as it reads in its scalar dashboard (vz_line_chart2), kept literal. */
function tensorboardReference(ys: number[], smoothingWeight: number): number[] {
  let last = 0;
  let numAccum = 0;
  return ys.map((nextVal) => {
    if (!Number.isFinite(nextVal)) return nextVal;
    last = last * smoothingWeight + (1 - smoothingWeight) * nextVal;
    numAccum++;
    const debiasWeight = smoothingWeight === 1 ? 1 : 1 - Math.pow(smoothingWeight, numAccum);
    return last / debiasWeight;
  });
}

describe('emaDebiased', () => {
  it('gives the values worked by hand: y = 1, 2, 3, 4 at weight 0.5', () => {
    const out = [...emaDebiased([1, 2, 3, 4], 0.5)];
    // last = 0.5, 1.25, 2.125, 3.0625 divided by 1 - 0.5^k = 0.5, 0.75, 0.875, 0.9375
    [1, 5 / 3, 2.125 / 0.875, 3.0625 / 0.9375].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
  });

  it('matches the TensorBoard reference on a noisy loss curve, NaN gaps included', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ys = Array.from({ length: 500 }, (_, i) => (i === 100 || i === 101 ? NaN : Math.exp(-i / 100) + 0.3 * rand()));
    for (const w of [0, 0.3, 0.6, 0.9, 0.99]) {
      const ours = emaDebiased(ys, w);
      tensorboardReference(ys, w).forEach((v, i) => (Number.isNaN(v) ? expect(ours[i]).toBeNaN() : expect(ours[i]).toBeCloseTo(v, 12)));
    }
  });

  it('starts at the first value and keeps a constant line constant (the de-biasing)', () => {
    expect([...emaDebiased([5, 5, 5, 5], 0.9)].every((v) => Math.abs(v - 5) < 1e-12)).toBe(true);
  });
});

describe('movingWindow', () => {
  it('averages each point with the ones before it, the start over fewer points', () => {
    expect([...movingWindow([1, 2, 3, 4, 5], 3)]).toEqual([1, 1.5, 2, 3, 4]);
  });

  it('passes non-finite points through and leaves them out of the mean', () => {
    const out = [...movingWindow([2, NaN, 4, 6], 2)];
    expect(out[1]).toBeNaN();
    expect([out[0], out[2], out[3]]).toEqual([2, 3, 5]);
  });
});

describe('SmoothedLines', () => {
  function lineSet(y: number[]): LineSet {
    const set = new LineSet({ x: 'step', y: 'loss', group: [], color: null });
    set.lines.set('r', {
      key: 'r', run: 'r', labels: [], colorValue: null, x: Column.from(y.map((_, i) => i)), y: Column.from(y),
      sorted: true, rev: 0, reducedLength: y.length,
    });
    return set;
  }

  it('smooths each line, and again only when it grew or changed', () => {
    const raw = lineSet([1, 3]);
    const sm = new SmoothedLines(raw, { window: 2 });
    const first = sm.update().lines.get('r');
    expect([...(first?.y.values() ?? [])]).toEqual([1, 2]);
    expect(sm.update().lines.get('r')).toBe(first);
    raw.lines.get('r')?.y.append([5]);
    raw.lines.get('r')?.x.append([2]);
    const grown = sm.update().lines.get('r');
    expect(grown).not.toBe(first);
    expect([...(grown?.y.values() ?? [])]).toEqual([1, 2, 4]);
    raw.lines.delete('r');
    expect(sm.update().lines.size).toBe(0);
  });

  it('counts ema 0 and window 1 as no smoothing', () => {
    expect([isSmoothing({ ema: 0 }), isSmoothing({ window: 1 }), isSmoothing({ ema: 0.6 }), isSmoothing({ window: 5 })]).toEqual([false, false, true, true]);
  });
});
