import { describe, expect, it } from 'vitest';
import type { ColumnData, DataBatch } from '../api/arrowData';
import type { FieldInfo } from '../api/types';
import { DatasetState } from './dataset';
import { panelDomains, useSharedDomains, type Placed } from './panelScales';
import { ColorScale } from './palette';
import { changeBetween, emptyDomains, SharedScales, unionDomains, type ScaleDomains } from './sharedScales';
import { PlotStyles } from './styles';
import { emptyExtent } from './viewState';

function domains(x: [number, number], y: [number, number], color: ScaleDomains['color'] = [], size: ScaleDomains['size'] = []): ScaleDomains {
  return { main: { x0: x[0], x1: x[1], y0: y[0], y1: y[1] }, second: emptyExtent(), color, size };
}

describe('unionDomains', () => {
  it('spans every panel on each axis', () => {
    const u = unionDomains([domains([0, 10], [1, 2]), domains([5, 30], [-1, 1.5])]);
    expect(u.main).toEqual({ x0: 0, x1: 30, y0: -1, y1: 2 });
    expect(u.second).toEqual(emptyExtent());
  });
  it('keeps the second axes apart from the main ones', () => {
    const a = { ...domains([0, 1], [0, 1]), second: { x0: 100, x1: 200, y0: 0.5, y1: 0.9 } };
    const b = { ...domains([0, 3], [0, 1]), second: { x0: 50, x1: 150, y0: 0.1, y1: 0.6 } };
    const u = unionDomains([a, b]);
    expect(u.main).toEqual({ x0: 0, x1: 3, y0: 0, y1: 1 });
    expect(u.second).toEqual({ x0: 50, x1: 200, y0: 0.1, y1: 0.9 });
  });
  it('adds nothing for a panel with no data yet', () => {
    const u = unionDomains([domains([2, 4], [3, 5], [[1e-5, 0.03]]), emptyDomains()]);
    expect(u.main).toEqual({ x0: 2, x1: 4, y0: 3, y1: 5 });
    expect(u.color).toEqual([[1e-5, 0.03]]);
    expect(unionDomains([])).toEqual(emptyDomains());
  });
  it('unites color and size domains per dataset, not across datasets', () => {
    const a = domains([0, 1], [0, 1], [[1.08e-5, 0.036], null], [null, [1, 4]]);
    const b = domains([0, 1], [0, 1], [[5.8e-5, 0.0465], [10, 20]], [null, [0, 2]]);
    const u = unionDomains([a, b]);
    expect(u.color).toEqual([[1.08e-5, 0.0465], [10, 20]]);
    expect(u.size).toEqual([null, [0, 4]]);
  });
  it('ignores empty and non-finite domains', () => {
    const u = unionDomains([domains([0, 1], [0, 1], [[Infinity, -Infinity], [NaN, 1]]), domains([0, 1], [0, 1], [[2, 3]])]);
    expect(u.color).toEqual([[2, 3], null]);
  });
});

describe('changeBetween', () => {
  it('tells axis changes from color and size changes', () => {
    const a = domains([0, 1], [0, 1], [[0, 1]]);
    expect(changeBetween(a, domains([0, 1], [0, 1], [[0, 1]]))).toEqual({ axes: false, styles: false });
    expect(changeBetween(a, domains([0, 2], [0, 1], [[0, 1]]))).toEqual({ axes: true, styles: false });
    expect(changeBetween(a, domains([0, 1], [0, 1], [[0, 2]]))).toEqual({ axes: false, styles: true });
    expect(changeBetween(a, domains([0, 1], [0, 1], [[0, 1], null]))).toEqual({ axes: false, styles: false });
    expect(changeBetween(a, domains([0, 1], [0, 1], [null]))).toEqual({ axes: false, styles: true });
  });
});

describe('SharedScales', () => {
  it('tells the other panels when the union moves, and the reporter not', () => {
    const s = new SharedScales();
    const a = {};
    const b = {};
    const heard: string[] = [];
    s.join(a, (c) => heard.push(`a ${c.axes} ${c.styles}`));
    s.join(b, (c) => heard.push(`b ${c.axes} ${c.styles}`));
    s.report(a, domains([0, 10], [0, 1], [[1, 2]]));
    expect(heard).toEqual(['b true true']);
    s.report(b, domains([0, 5], [0, 0.5], [[1.5, 1.8]]));
    expect(heard).toEqual(['b true true']); // inside a's ranges: nothing moves
    s.report(b, domains([0, 20], [0, 0.5], [[1.5, 1.8]]));
    expect(heard).toEqual(['b true true', 'a true false']);
    expect(s.union.main).toEqual({ x0: 0, x1: 20, y0: 0, y1: 1 });
    expect(s.union.color).toEqual([[1, 2]]);
  });
  it('narrows again when a panel leaves', () => {
    const s = new SharedScales();
    const a = {};
    const b = {};
    const heard: boolean[] = [];
    s.join(a, (c) => heard.push(c.axes));
    const leaveB = s.join(b, () => {});
    s.report(a, domains([0, 1], [0, 1]));
    s.report(b, domains([0, 9], [0, 1]));
    leaveB();
    expect(heard).toEqual([true, true]);
    expect(s.union.main.x1).toBe(1);
  });
});

describe('a panel in a grid', () => {
  const fields = new Map<string, FieldInfo>([
    ['lr', { handle: 'lr', name: 'lr', type: 'float', description: '' }],
    ['tokens', { handle: 'tokens', name: 'tokens', type: 'float', description: '' }],
  ]);
  const host = { kind: 'scatter' as const, palette: 'viridis', fields, pixels: () => 100, changed: () => {} };

  function panel(rows: { x: number; y: number; lr: number; tokens: number }[]): Placed {
    const ds = new DatasetState({ series: 'train', bindings: { x: 'step', y: 'loss', color: 'lr', size: 'tokens' } }, host);
    const batch: DataBatch = {
      length: rows.length, reduced: 'none', lastSequence: 1,
      columns: new Map<string, ColumnData>([
        ['run', { codes: Int32Array.from(rows.map(() => 0)), values: ['r1'] }],
        ['step', Float64Array.from(rows.map((r) => r.x))],
        ['loss', Float64Array.from(rows.map((r) => r.y))],
        ['lr', Float64Array.from(rows.map((r) => r.lr))],
        ['tokens', Float64Array.from(rows.map((r) => r.tokens))],
      ]),
    };
    ds.points?.append(batch);
    for (const r of rows) ds.color.observe(r.lr);
    return { ds, pair: { x: 'x', y: 'y' }, view: { x0: 0, x1: 1, y0: 0, y1: 1, logX: false, logY: false }, slot: 0 };
  }

  it('draws and explains its colors and sizes by the grid domains', () => {
    const a = panel([{ x: 0, y: 1, lr: 0.01, tokens: 5 }, { x: 10, y: 2, lr: 0.02, tokens: 6 }]);
    const b = panel([{ x: 3, y: 0.5, lr: 0.001, tokens: 1 }, { x: 4, y: 4, lr: 0.005, tokens: 9 }]);
    const s = new SharedScales();
    s.report(a, panelDomains([a], 1));
    s.report(b, panelDomains([b], 1));
    expect(s.union.main).toEqual({ x0: 0, x1: 10, y0: 0.5, y1: 4 });
    const styles = new PlotStyles('viridis');
    expect(styles.pointStyle(a.ds).colorRange).toEqual([0.01, 0.02]); // before: its own
    useSharedDomains([a], s.union);
    expect(styles.pointStyle(a.ds).colorRange).toEqual([0.001, 0.02]);
    expect(styles.pointStyle(a.ds).sizeRange).toEqual([1, 9]);
    expect(styles.legend([a.ds], new Set(['r1'])).bar).toMatchObject({ field: 'lr', min: 0.001, max: 0.02 });
    expect(a.ds.ownColorDomain()).toEqual([0.01, 0.02]); // what it reports stays its own
  });
});

describe('ColorScale with a shared domain', () => {
  it('spreads colors over the shared domain instead of the values seen', () => {
    const own = new ColorScale('viridis', true);
    own.observe(2);
    own.observe(3);
    const shared = new ColorScale('viridis', true);
    shared.observe(2);
    shared.observe(3);
    shared.shared = [0, 4];
    expect(shared.domain()).toEqual([0, 4]);
    expect(own.color(3)).toEqual(own.color(100)); // its max: the top of the palette
    expect(shared.color(3)).not.toEqual(own.color(3));
    expect(shared.color(4)).toEqual(own.color(3));
  });
});
