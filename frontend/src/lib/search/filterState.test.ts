import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../api/types';
import { decodeFilter, emptyFilter, encodeFilter, fromRunFilter, sameRunFilter, toRunFilter } from './filterState';
import { filterRuns } from './matchRuns';

describe('filter state URL codec', () => {
  it('round-trips every part', () => {
    const f = {
      ...emptyFilter(),
      tagsAny: ['baseline', 'a,b'],
      tagsAll: ['v2'],
      tagsNone: ['broken'],
      values: { optimizer: ['adam', 'sgd'], good: ['true'] },
      ranges: { lr: { min: 0.0001, max: null }, epochs: { min: 2, max: 10 } },
      after: 1700000000,
      before: 1700086400.5,
      text: '3fa8',
    };
    const text = encodeFilter(f);
    expect(decodeFilter(text)).toEqual(f);
    expect(encodeFilter(decodeFilter(text))).toBe(text);
  });

  it('reads a hand-written link', () => {
    const f = decodeFilter('?any=x&in.model=vit&in.model=resnet&range.lr=..0.01&after=2025-01-02T03:04&q=ab');
    expect(f.tagsAny).toEqual(['x']);
    expect(f.values).toEqual({ model: ['vit', 'resnet'] });
    expect(f.ranges).toEqual({ lr: { min: null, max: 0.01 } });
    expect(f.after).toBe(Date.UTC(2025, 0, 2, 3, 4) / 1000);
    expect(f.text).toBe('ab');
  });

  it('ignores empty and malformed parts instead of failing', () => {
    const f = decodeFilter('any=&range.lr=abc..&range.x=..&in.=3&after=nonsense');
    expect(f).toEqual(emptyFilter());
    expect(encodeFilter(emptyFilter())).toBe('');
  });

  it('types values for the server', () => {
    const f = { ...decodeFilter('in.epochs=10&in.good=false&in.opt=adam&range.lr=0.1..0.5&none=bad'), after: 5 };
    const types = new Map([['epochs', 'int'], ['good', 'bool'], ['opt', 'string'], ['lr', 'float']] as const);
    expect(toRunFilter(f, new Map(types))).toEqual({
      tags_none: ['bad'],
      attributes: [
        { field: 'epochs', in: [10] },
        { field: 'good', in: [false] },
        { field: 'opt', in: ['adam'] },
        { field: 'lr', min: 0.1, max: 0.5 },
      ],
      started_after: 5,
    });
  });
});

describe('a saved filter read back', () => {
  it('shows as the link that gives the same filter', () => {
    const saved = {
      tags_any: ['baseline'], tags_none: ['broken'],
      attributes: [{ field: 'opt', in: ['adam', 'sgd'] }, { field: 'lr', min: 0.001, max: 0.1 }, { field: 'epochs', equals: 3 }],
      started_after: 1700000000,
    };
    const f = fromRunFilter(saved);
    expect(f && encodeFilter(f)).toBe('any=baseline&none=broken&in.epochs=3&in.opt=adam&in.opt=sgd&range.lr=0.001..0.1&after=2023-11-14T22%3A13%3A20Z');
    const types = new Map([['opt', 'string'], ['lr', 'float'], ['epochs', 'int']] as const);
    expect(sameRunFilter(toRunFilter(f!, new Map(types)), { ...saved, attributes: [
      { field: 'epochs', in: [3] }, { field: 'opt', in: ['adam', 'sgd'] }, { field: 'lr', min: 0.001, max: 0.1 }] })).toBe(true);
  });

  it('is null where a link cannot say it', () => {
    expect(fromRunFilter({ handles: ['aaaa'] })).toBeNull();
    expect(fromRunFilter({ attributes: [{ field: 'lr', min: 1 }, { field: 'lr', max: 2 }] })).toBeNull();
    expect(fromRunFilter({})).toEqual(emptyFilter());
  });

  it('compares filters whatever their key order; no filter is all runs', () => {
    expect(sameRunFilter({ tags_any: ['a'], tags_none: ['b'] }, { tags_none: ['b'], tags_any: ['a'] })).toBe(true);
    expect(sameRunFilter({ attributes: [{ field: 'x', max: 2, min: 1 }] }, { attributes: [{ min: 1, max: 2, field: 'x' }] })).toBe(true);
    expect(sameRunFilter(undefined, {})).toBe(true);
    expect(sameRunFilter({ tags_any: ['a'] }, { tags_any: ['b'] })).toBe(false);
    expect(sameRunFilter({ tags_any: ['a'] }, undefined)).toBe(false);
  });
});

describe('matching runs in the browser', () => {
  const run = (handle: string, tags: string[], attributes: RunInfo['attributes'], started_at = 100): RunInfo => ({ handle, tags, attributes, started_at });
  const runs = [
    run('aaaa', ['base'], { opt: 'adam', lr: 0.1, epochs: 3 }),
    run('bbbb', ['base', 'v2'], { opt: 'sgd', lr: 0.01 }, 200),
    run('cccc', ['broken'], { opt: 'adam', lr: 0.001 }, 300),
  ];
  const handles = (q: string): string[] => filterRuns(runs, decodeFilter(q)).map((r) => r.handle);

  it('applies tags any/all/none, values, ranges, time and text', () => {
    expect(handles('')).toEqual(['aaaa', 'bbbb', 'cccc']);
    expect(handles('any=v2&any=broken')).toEqual(['bbbb', 'cccc']);
    expect(handles('all=base&all=v2')).toEqual(['bbbb']);
    expect(handles('none=base')).toEqual(['cccc']);
    expect(handles('in.opt=adam')).toEqual(['aaaa', 'cccc']);
    expect(handles('range.lr=0.005..0.5')).toEqual(['aaaa', 'bbbb']);
    expect(handles('range.epochs=0..')).toEqual(['aaaa']); // no attribute: no match
    expect(handles('after=150&before=250')).toEqual(['bbbb']);
    expect(handles('q=cc')).toEqual(['cccc']);
    expect(handles('q=v2')).toEqual(['bbbb']);
  });
});
