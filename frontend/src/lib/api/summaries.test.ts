import { describe, expect, it } from 'vitest';
import { exportUrl } from './summaries';

describe('exportUrl', () => {
  it('asks for the bound series fields, the bound or joined attributes, and the filter', () => {
    const url = exportUrl(
      { series: 'train', bindings: { x: 'step', y: 'loss', color: 'lr', group: ['run'] }, attributes: ['optimizer'], filter: { tags_any: ['sweep'] } },
      ['step', 'loss', 'phase'],
      'parquet',
    );
    const q = new URL(url, 'http://host/').searchParams;
    expect(q.get('series')).toBe('train');
    expect(q.get('format')).toBe('parquet');
    expect(q.get('fields')).toBe('step,loss');
    expect(q.get('attributes')).toBe('lr,optimizer');
    expect(JSON.parse(q.get('filter') ?? '')).toEqual({ tags_any: ['sweep'] });
  });

  it('leaves fields out (every field) when the dataset binds none, and the filter when empty', () => {
    const q = new URL(exportUrl({ series: 's', bindings: {} }, ['a'], 'csv'), 'http://host/').searchParams;
    expect([...q.keys()]).toEqual(['series', 'format']);
  });

  it('keeps the rows shown: a facet panel\u2019s conditions and the frame (latest by default)', () => {
    const ds = { series: 'cloud', bindings: { x: 'x', y: 'y', frame: 'step', facet: 'part' }, where: [{ field: 'part', equals: 'a' }] };
    const where = (frame?: number | 'latest'): unknown => JSON.parse(new URL(exportUrl(ds, ['step', 'x', 'y', 'part'], 'csv', frame), 'http://host/').searchParams.get('where') ?? 'null');
    expect(where()).toEqual([{ field: 'part', equals: 'a' }, { field: 'step', latest: true }]);
    expect(where(40)).toEqual([{ field: 'part', equals: 'a' }, { field: 'step', equals: 40 }]);
  });
});
