import { describe, expect, it } from 'vitest';
import { bandOf, contourLevels, isoLines, nodeEdges, type Grid } from './contour';

function grid(xs: number[], ys: number[], f: (x: number, y: number) => number): Grid {
  const z = new Float64Array(xs.length * ys.length);
  ys.forEach((y, j) => xs.forEach((x, i) => (z[j * xs.length + i] = f(x, y))));
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), z };
}

const steps = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));

describe('marching squares', () => {
  it('draws the level set of z = x² + y² as one closed circle of that radius', () => {
    const g = grid(steps(-2, 2, 41), steps(-2, 2, 41), (x, y) => x * x + y * y);
    for (const level of [1, 2.25]) {
      const lines = isoLines(g, level);
      expect(lines).toHaveLength(1);
      const { x, y } = lines[0]!;
      expect(x.length).toBeGreaterThan(20);
      // Closed: it ends where it starts.
      expect([x[x.length - 1], y[y.length - 1]]).toEqual([x[0], y[0]]);
      for (let k = 0; k < x.length; k++) expect(Math.hypot(x[k]!, y[k]!)).toBeCloseTo(Math.sqrt(level), 1);
    }
  });

  it('draws nothing for a level outside z, and leaves cells with a missing corner out', () => {
    const g = grid(steps(-1, 1, 5), steps(-1, 1, 5), (x, y) => x + y);
    expect(isoLines(g, 5)).toEqual([]);
    g.z.fill(NaN);
    expect(isoLines(g, 0)).toEqual([]);
  });

  it('chains an open line across cells from one border to the other', () => {
    const g = grid([0, 1, 2], [0, 1, 2], (x) => x);
    const lines = isoLines(g, 0.5);
    expect(lines).toHaveLength(1);
    expect([...lines[0]!.x]).toEqual([0.5, 0.5, 0.5]);
    expect([...lines[0]!.y].sort()).toEqual([0, 1, 2]);
  });

  it('splits a saddle by the value at its center', () => {
    const up = isoLines({ x: Float64Array.from([0, 1]), y: Float64Array.from([0, 1]), z: Float64Array.from([1, -1, -1, 1.5]) }, 0);
    expect(up).toHaveLength(2);
    // The center (0.125) is above: the two low corners (1, 0) and (0, 1) are cut off.
    const segments = up.map((l) => [0, 1].map((k) => `${l.x[k]},${l.y[k]}`).sort().join(' ')).sort();
    expect(segments).toEqual(['0,0.5 0.4,1', '0.5,0 1,0.4']);
    for (const l of up) expect(l.x.length).toBe(2);
  });

  it('picks levels inside the range and bands values by them', () => {
    expect(contourLevels(0, 10, 4)).toEqual([2, 4, 6, 8]);
    expect(contourLevels(1, 1, 3)).toEqual([]);
    const levels = [2, 4, 6, 8];
    expect([1, 2, 3, 8, 9].map((v) => bandOf(v, levels))).toEqual([0, 1, 1, 4, 4]);
  });

  it('puts cell edges midway between nodes and half a gap past the ends', () => {
    expect([...nodeEdges(Float64Array.from([0, 1, 3]))]).toEqual([-0.5, 0.5, 2, 4]);
    expect([...nodeEdges(Float64Array.from([5]))]).toEqual([4.5, 5.5]);
  });
});
