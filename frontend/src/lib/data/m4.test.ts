import { describe, expect, it } from 'vitest';
import { decodeBatch } from '../api/arrowData';
import { isSorted, lowerBound, m4Reduce, spliceRange, upperBound } from './m4';
import { LineSet } from './lineSet';
import type { DataBatch } from '../api/arrowData';

function batch(rows: { run: string; x: number; y: number; g?: string }[], lastSequence = 1): DataBatch {
  const runs = [...new Set(rows.map((r) => r.run))];
  const gs = [...new Set(rows.map((r) => r.g ?? ''))];
  return {
    length: rows.length,
    reduced: 'none',
    lastSequence,
    columns: new Map<string, DataBatch['columns'] extends Map<string, infer C> ? C : never>([
      ['run', { codes: Int32Array.from(rows.map((r) => runs.indexOf(r.run))), values: runs }],
      ['g', { codes: Int32Array.from(rows.map((r) => gs.indexOf(r.g ?? ''))), values: gs }],
      ['step', Float64Array.from(rows.map((r) => r.x))],
      ['loss', Float64Array.from(rows.map((r) => r.y))],
    ]),
  };
}

describe('m4Reduce', () => {
  it('keeps first, last, min and max of every pixel column', () => {
    const n = 10_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 50));
    y[5000] = 100; // a spike must survive
    const r = m4Reduce(x, y, 0, n - 1, 100);
    expect(r.x.length).toBeLessThanOrEqual(400);
    expect(Math.max(...r.y)).toBe(100);
    expect(r.x[0]).toBe(0);
    expect(r.x[r.x.length - 1]).toBe(n - 1);
    expect(isSorted(r.x)).toBe(true);
  });
  it('returns small inputs unchanged', () => {
    const r = m4Reduce([1, 2, 3], [4, 5, 6], 1, 3, 100);
    expect([...r.x]).toEqual([1, 2, 3]);
  });
});

describe('splice and search', () => {
  it('replaces the zoomed range with finer points', () => {
    const base = { x: Float64Array.from([0, 10, 20, 30, 40]), y: Float64Array.from([0, 1, 2, 3, 4]) };
    const detail = { x: Float64Array.from([9, 12, 14, 16, 18, 21]), y: Float64Array.from([9, 9, 9, 9, 9, 9]) };
    const r = spliceRange(base, detail, 10, 20);
    expect([...r.x]).toEqual([0, 12, 14, 16, 18, 30, 40]);
  });
  it('finds bounds', () => {
    const x = [1, 2, 2, 3];
    expect(lowerBound(x, 2)).toBe(1);
    expect(upperBound(x, 2)).toBe(3);
    expect(lowerBound(x, 9)).toBe(4);
  });
});

describe('LineSet', () => {
  const bindings = { x: 'step', y: 'loss', group: ['g'], color: null };

  it('splits rows into one line per run and group value', () => {
    const s = new LineSet(bindings);
    s.replace(batch([
      { run: 'a', x: 0, y: 1, g: 'p' },
      { run: 'b', x: 0, y: 2, g: 'p' },
      { run: 'a', x: 1, y: 3, g: 'p' },
      { run: 'a', x: 0, y: 4, g: 'q' },
    ]));
    expect(s.lines.size).toBe(3);
    expect([...(s.lines.get('a\u0000p')?.y.values() ?? [])]).toEqual([1, 3]);
    expect(s.lines.get('a\u0000q')?.labels).toEqual([['g', 'q']]);
    expect(s.runs().sort()).toEqual(['a', 'b']);
  });

  it('appends live rows to the right lines and re-reduces long ones', () => {
    const s = new LineSet(bindings);
    s.replace(batch([{ run: 'a', x: 0, y: 0 }]));
    s.append(batch([{ run: 'a', x: 1, y: 1 }, { run: 'c', x: 0, y: 5 }]), 100);
    expect(s.lines.get('a\u0000')?.x.length).toBe(2);
    expect(s.lines.size).toBe(2);
    const rows = Array.from({ length: 2000 }, (_, i) => ({ run: 'a', x: i + 2, y: i % 7 }));
    const rev = s.lines.get('a\u0000')?.rev ?? 0;
    s.append(batch(rows), 100);
    const line = s.lines.get('a\u0000');
    expect(line?.rev).toBe(rev + 1);
    expect(line?.x.length).toBeLessThanOrEqual(400);
    expect(line?.x.last()).toBe(2001);
  });

  it('marks a line unsorted when rows arrive out of order', () => {
    const s = new LineSet(bindings);
    s.replace(batch([{ run: 'a', x: 5, y: 0 }]));
    s.append(batch([{ run: 'a', x: 1, y: 1 }]), 100);
    expect(s.lines.get('a\u0000')?.sorted).toBe(false);
  });

  it('drops a deleted run at once', () => {
    const s = new LineSet(bindings);
    s.replace(batch([{ run: 'a', x: 0, y: 0 }, { run: 'b', x: 0, y: 0 }]));
    const v = s.version;
    expect(s.dropRun('a')).toBe(true);
    expect(s.runs()).toEqual(['b']);
    expect(s.version).toBe(v + 1);
    expect(s.dropRun('zzz')).toBe(false);
  });

  it('splices zoomed data per line', () => {
    const s = new LineSet(bindings);
    s.replace(batch([0, 10, 20, 30].map((x) => ({ run: 'a', x, y: 0 }))));
    s.splice(batch([11, 12, 13].map((x) => ({ run: 'a', x, y: 1 }))), 10, 20);
    expect([...(s.lines.get('a\u0000')?.x.values() ?? [])]).toEqual([0, 11, 12, 13, 30]);
  });
});

describe('decodeBatch', () => {
  it('rejects bytes that are not Arrow', () => {
    expect(() => decodeBatch(new Uint8Array([1, 2, 3]))).toThrow();
  });
});
