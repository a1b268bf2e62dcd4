import { describe, expect, it } from 'vitest';
import { controlsRun, exampleFor, layoutNames, parseLayout, type DashboardLayout } from './urlLayout';

function ok(q: string): DashboardLayout {
  const r = parseLayout(q);
  if (r === null || !r.ok) throw new Error(`expected a layout from ${q}: ${JSON.stringify(r)}`);
  return r.layout;
}

function err(q: string): string {
  const r = parseLayout(q);
  if (r === null || r.ok) throw new Error(`expected an error from ${q}`);
  expect(r.example).toMatch(/^\/\?rows=/);
  return r.error;
}

describe('parseLayout', () => {
  it('reads axes=xylog, the older name of loglog', () => {
    const cells = ok('?rows=A,B&axes=xylog,XYLOG').groups[0]?.cells ?? [];
    expect(cells.map((c) => c.axes)).toEqual(['loglog', 'loglog']);
  });

  it('reads scopes= and names= per plot, keeping the plot\u2019s where an entry is empty', () => {
    const cells = ok('?rows=A,B;C&scopes=baseline|abl-.*,,^3f2a&names=/loss$').groups.flatMap((g) => g.cells);
    expect(cells.map((c) => c.scopes ?? null)).toEqual(['baseline|abl-.*', null, '^3f2a']);
    expect(cells.map((c) => c.names ?? null)).toEqual(['/loss$', null, null]);
    expect('scopes' in (ok('?rows=A').groups[0]?.cells[0] ?? {})).toBe(false);
  });

  it('refuses a pattern that is not a regular expression, or one too many', () => {
    expect(err('?rows=A&scopes=(')).toContain('"scopes" has "(" for plot 1, which is not a regular expression');
    expect(err('?rows=A&names=[a')).toContain('"names" has "[a" for plot 1');
    expect(err('?rows=A&names=a,b')).toContain('gives 2 patterns, but the layout has 1 plot');
    expect(err('?rows=A&scopes=a&scopes=b')).toContain('"scopes" is given more than once');
  });

  it('reads a smoothing per plot, keeping the spec\u2019s where an entry is empty', () => {
    const cells = ok('?rows=A,B,C,D&smooth=0.9,w25,,off').groups[0]?.cells ?? [];
    expect(cells.map((c) => c.smooth ?? null)).toEqual([{ ema: 0.9 }, { window: 25 }, null, { ema: 0 }]);
    expect('smooth' in (ok('?rows=A').groups[0]?.cells[0] ?? {})).toBe(false);
  });

  it('refuses a smoothing it cannot read, saying what to give', () => {
    for (const bad of ['1', '-0.1', 'w0', 'w2.5', 'w10001', 'ema']) {
      expect(err(`?rows=A&smooth=${bad}`)).toContain(`"smooth" has "${bad}" for plot 1; use an EMA weight`);
    }
    expect(err('?rows=A&smooth=0.5,0.5')).toContain('gives 2 values, but the layout has 1 plot');
  });

  it('returns null without rows or cols', () => {
    expect(parseLayout('')).toBeNull();
    expect(parseLayout('?foo=1')).toBeNull();
  });

  it('parses the example from the issue', () => {
    const l = ok('?rows=A,B;C&width=1,2&height=1,2&axes=lin,ylog,lin');
    expect(l.direction).toBe('rows');
    expect(l.groups.map((g) => g.weight)).toEqual([1, 2]);
    expect(l.groups[0]?.cells.map((c) => [c.name, c.weight, c.axes])).toEqual([
      ['A', 1, 'lin'],
      ['B', 2, 'ylog'],
    ]);
    expect(l.groups[1]?.cells).toEqual([{ name: 'C', weight: 1, axes: 'lin' }]);
    expect(layoutNames(l)).toEqual(['A', 'B', 'C']);
  });

  it('takes one width per plot, flat or per row', () => {
    expect(ok('?rows=A,B;C&width=1,2,5').groups[1]?.cells[0]?.weight).toBe(5);
    expect(ok('?rows=A,B;C,D&width=1,2;3,4').groups[1]?.cells.map((c) => c.weight)).toEqual([3, 4]);
  });

  it('defaults sizes to equal and axes to the spec', () => {
    const l = ok('?rows=A,B');
    expect(l.groups[0]?.cells.map((c) => [c.weight, c.axes])).toEqual([
      [1, null],
      [1, null],
    ]);
  });

  it('lets axes be shorter or skip entries', () => {
    const l = ok('?rows=A,B,C&axes=,loglog');
    expect(layoutNames(l)).toEqual(['A', 'B', 'C']);
    expect(l.groups[0]?.cells.map((c) => c.axes)).toEqual([null, 'loglog', null]);
  });

  it('transposes with cols', () => {
    const l = ok('?cols=A;B,C&width=2,1&height=1,1,3');
    expect(l.direction).toBe('cols');
    expect(l.groups.map((g) => g.weight)).toEqual([2, 1]);
    expect(l.groups[1]?.cells.map((c) => c.weight)).toEqual([1, 3]);
  });

  it('decodes names and trims spaces', () => {
    expect(layoutNames(ok('?rows=train%20loss,%20acc%20'))).toEqual(['train loss', 'acc']);
  });

  it('reports malformed layouts with what is wrong', () => {
    expect(err('?rows=')).toMatch(/empty/);
    expect(err('?rows=A,,B')).toMatch(/plot 2 of group 1 has no name/);
    expect(err('?rows=A;;B')).toMatch(/group 2 is empty/);
    expect(err('?rows=A,B&cols=C')).toMatch(/not both/);
    expect(err('?rows=A&rows=B')).toMatch(/more than once/);
  });

  it('reports width and height count mismatches', () => {
    expect(err('?rows=A,B;C&width=1,2,3,4')).toMatch(/gives 4 sizes, but the layout has 3 plots/);
    expect(err('?rows=A,B;C&width=1;2')).toMatch(/per row/);
    expect(err('?rows=A,B;C&height=1')).toMatch(/gives 1 sizes, but the layout has 2 rows/);
    expect(err('?cols=A;B&width=1,2,3')).toMatch(/2 columns/);
  });

  it('reports bad numbers and axes', () => {
    expect(err('?rows=A,B&width=1,x')).toMatch(/"x", which is not a positive number/);
    expect(err('?rows=A,B&width=1,-2')).toMatch(/not a positive number/);
    expect(err('?rows=A&axes=log')).toMatch(/use one of lin, xlog, ylog, loglog/);
    expect(err('?rows=A&axes=lin,lin')).toMatch(/gives 2 values/);
  });
});

describe('exampleFor', () => {
  it('builds a dashboard URL from known plot names', () => {
    expect(exampleFor(['loss', 'acc', 'lr rate'])).toBe('/?rows=loss,acc;lr%20rate');
    expect(exampleFor([])).toMatch(/^\/\?rows=/);
  });
});

describe('controls cells', () => {
  it('are not plot names, and name the run whose controls they show', () => {
    const r = parseLayout(new URLSearchParams('rows=loss,controls:123e4567-e89b-12d3-a456-426614174000'));
    expect(r?.ok).toBe(true);
    if (!r?.ok) return;
    expect(layoutNames(r.layout)).toEqual(['loss']);
    const names = r.layout.groups.flatMap((g) => g.cells.map((c) => c.name));
    expect(names.map(controlsRun)).toEqual([null, '123e4567-e89b-12d3-a456-426614174000']);
  });
});
