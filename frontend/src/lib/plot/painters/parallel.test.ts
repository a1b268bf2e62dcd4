import { describe, expect, it } from 'vitest';
import type { ColumnData, DataBatch } from '../../api/arrowData';
import { axisOf, axisX, axisY, parallelLines, parallelRequest, rowColors, type Box } from './parallel';

const box: Box = { w: 300, h: 120, left: 50, right: 50, top: 10, bottom: 10 };

function batch(): DataBatch {
  return {
    length: 3,
    reduced: 'none',
    lastSequence: 0,
    columns: new Map<string, ColumnData>([
      ['run', { codes: new Int32Array([0, 1, 2]), values: ['a', 'b', 'c'] }],
      ['attr.lr', new Float64Array([0.1, 0.3, 0.2])],
      ['attr.opt', { codes: new Int32Array([0, 1, 0]), values: ['sgd', 'adam'] }],
      ['min.loss', new Float64Array([1, 3, NaN])],
    ]),
  };
}

describe('parallel coordinates', () => {
  it('asks for dims and color as fields of one request, per run when the dataset is', () => {
    const req = parallelRequest({ series: 'train', per_run: true, bindings: { dims: ['attr.lr', 'min.loss'], color: 'min.loss' } });
    expect(req).toMatchObject({ series: 'train', per_run: true, kind: 'parallel', fields: ['attr.lr', 'min.loss'] });
    expect(() => parallelRequest({ series: 'train', bindings: {} })).toThrow(/binds no dims/);
  });

  it('places numbers on their min-max span and categories evenly, sorted', () => {
    const b = batch();
    const lr = axisOf('attr.lr', b.columns.get('attr.lr'), 3);
    expect([0, 1, 2].map((i) => lr.at(i))).toEqual([0, 1, expect.closeTo(0.5, 9)]);
    const opt = axisOf('attr.opt', b.columns.get('attr.opt'), 3);
    expect(opt.categories).toEqual(['adam', 'sgd']);
    expect([0, 1, 2].map((i) => opt.at(i))).toEqual([1, 0, 1]);
    expect(Number.isNaN(axisOf('min.loss', b.columns.get('min.loss'), 3).at(2))).toBe(true);
  });

  it('draws one polyline per row through each axis at its value; a brush keeps those inside', () => {
    const b = batch();
    const axes = ['attr.lr', 'min.loss'].map((f) => axisOf(f, b.columns.get(f), 3));
    const lines = parallelLines(b, axes, rowColors(b, 'min.loss', 'viridis'), box, []);
    expect(lines.map((l) => l.run)).toEqual(['a', 'b', 'c']);
    expect(lines[1]?.points).toEqual([[axisX(box, 0, 2), axisY(box, 1)], [axisX(box, 1, 2), axisY(box, 1)]]);
    expect(lines[0]?.points[0]).toEqual([50, 110]);
    const brushed = parallelLines(b, axes, [], box, [{ field: 'attr.lr', lo: 0.4, hi: 1 }]);
    expect(brushed.map((l) => l.kept)).toEqual([false, true, true]);
  });

  it('colors numbers on the palette (lowest first), categories by value, NaN grey', () => {
    const b = batch();
    const c = rowColors(b, 'min.loss', 'viridis');
    expect(c[0]).toBe('rgb(68,1,84)');
    expect(c[1]).toBe('rgb(253,231,37)');
    expect(c[2]).toBe('#999');
    const cat = rowColors(b, 'attr.opt', 'tab10');
    expect(cat[0]).toBe(cat[2]);
    expect(cat[0]).not.toBe(cat[1]);
  });
});
