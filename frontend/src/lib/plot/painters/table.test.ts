import { describe, expect, it } from 'vitest';
import { cellText, pageLabel, pageRequest, SHORT, toggleSort, type TableView } from './table';

const start: TableView = { sort: null, descending: false, offset: 0, where: [] };

describe('table painter', () => {
  it('asks for one page, sorted and filtered when set', () => {
    expect(pageRequest('s', undefined, ['run', 'a'], start, 20)).toEqual({
      filter: {}, series: 's', fields: ['a'], attributes: [], kind: 'table', group: [], offset: 0, limit: 20,
    });
    const view: TableView = { sort: 'a', descending: true, offset: 40, where: [{ field: 'a', equals: 3 }] };
    expect(pageRequest('s', { tags_any: ['x'] }, [], view)).toMatchObject({ filter: { tags_any: ['x'] },  sort: 'a', descending: true, offset: 40, where: [{ field: 'a', equals: 3 }], fields: [] });
  });

  it('sorts by a header, then reverses, back on page one', () => {
    const a = toggleSort({ ...start, offset: 100 }, 'loss');
    expect(a).toMatchObject({ sort: 'loss', descending: false, offset: 0 });
    expect(toggleSort(a, 'loss').descending).toBe(true);
    expect(toggleSort(toggleSort(a, 'loss'), 'step')).toMatchObject({ sort: 'step', descending: false });
  });

  it('formats numbers as elsewhere and shortens formatted strings only', () => {
    const nums = new Float64Array([1234567, 0.000123, NaN]);
    expect(cellText(nums, 0)).toBe('1234567');
    expect(cellText(nums, 1)).toBe('0.000123');
    expect(cellText(nums, 2)).toBe('NaN');
    const long = 'x'.repeat(SHORT + 10);
    const codes = { codes: new Int32Array([0, 1]), values: ['short', long] };
    expect(cellText(codes, 0, 'markdown')).toBe('short');
    expect(cellText(codes, 1, 'markdown')).toBe(`${'x'.repeat(SHORT)}…`);
    expect(cellText(codes, 1, 'plain')).toBe(long);
    expect(cellText(codes, 1)).toBe(long);
    expect(cellText(undefined, 0)).toBe('');
  });

  it('labels pages from 1', () => {
    expect(pageLabel(0, 50, 95)).toBe('1–50 of 95');
    expect(pageLabel(50, 45, 95)).toBe('51–95 of 95');
    expect(pageLabel(0, 0, 0)).toBe('no rows');
  });
});
