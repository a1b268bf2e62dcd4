import { describe, expect, it } from 'vitest';
import type { PlotSpec } from '../api/types';
import { fromSpec, missingRoles, toSpec } from './draft';

describe('plot draft', () => {
  it('keeps an aggregating kind\u2019s reduce settings through the builder, and drops them for lines', () => {
    const spec = { name: 'h', kind: 'histogram', reduce: { bins: 40 }, datasets: [{ series: 'w', filter: {}, bindings: { x: 'weight', t: 'step' } }] };
    const draft = fromSpec(spec);
    expect(draft.reduce).toEqual({ bins: 40 });
    expect(draft.view).toBe('');
    draft.view = 'distribution';
    expect(toSpec(draft).view).toBe('distribution');
    expect(toSpec(draft).reduce).toEqual({ bins: 40 });
    draft.reduce.bins = undefined;
    expect(toSpec(draft).reduce).toBeUndefined();
    draft.reduce.bins = 10;
    draft.kind = 'line';
    expect(toSpec(draft).reduce).toBeUndefined();
  });

  it('keeps a line plot\u2019s smoothing, drops a smoothing that changes nothing, and drops it for other kinds', () => {
    const spec = { name: 'l', kind: 'line', smooth: { ema: 0.8 }, datasets: [{ series: 's', filter: {}, bindings: { x: 'step', y: 'loss' } }] };
    const draft = fromSpec(spec);
    expect(draft.smooth.method).toBe('ema');
    expect(toSpec(draft).smooth).toEqual({ ema: 0.8 });
    draft.smooth.method = 'window';
    expect(toSpec(draft).smooth).toEqual({ window: 25 });
    draft.smooth.window = 1;
    expect(toSpec(draft).smooth).toBeUndefined();
    draft.smooth.window = 9.6;
    expect(toSpec(draft).smooth).toEqual({ window: 10 });
    draft.kind = 'scatter';
    expect(toSpec(draft).smooth).toBeUndefined();
    expect(fromSpec({ ...spec, smooth: undefined }).smooth.method).toBe('');
  });

  it('keeps a bar plot\u2019s side-by-side colors and a histogram\u2019s ridgeline view', () => {
    const bars = fromSpec({ name: 'g', kind: 'bar', view: 'group', datasets: [{ series: 's', filter: {}, bindings: { category: 'split', color: 'model' } }] });
    expect(toSpec(bars).view).toBe('group');
    bars.kind = 'line';
    expect(toSpec(bars).view).toBeUndefined();
    const ridges = fromSpec({ name: 'r', kind: 'histogram', view: 'ridgeline', datasets: [{ series: 'w', filter: {}, bindings: { x: 'weight', t: 'step' } }] });
    expect(toSpec(ridges).view).toBe('ridgeline');
  });

  it('keeps a band plot\u2019s band view', () => {
    const draft = fromSpec({ name: 'b', kind: 'band', view: 'std', datasets: [{ series: 's', filter: {}, bindings: { x: 'step', y: 'loss' } }] });
    expect(toSpec(draft).view).toBe('std');
    draft.kind = 'line';
    expect(toSpec(draft).view).toBeUndefined();
  });

  it('keeps a contour\u2019s levels and fill, and a quiver\u2019s u and v', () => {
    const spec = { name: 'c', kind: 'contour', levels: 7, filled: true, reduce: { bins: 30 }, datasets: [{ series: 'h', filter: {}, bindings: { x: 'px', y: 'py', z: 'pz' } }] };
    const draft = fromSpec(spec);
    expect(toSpec(draft)).toMatchObject({ levels: 7, filled: true, reduce: { bins: 30 } });
    draft.filled = false;
    draft.levels = null;
    expect(toSpec(draft).filled).toBeUndefined();
    expect(toSpec(draft).levels).toBeUndefined();
    draft.levels = 4;
    draft.kind = 'surface';
    expect(toSpec(draft).levels).toBeUndefined();
    const quiver = { name: 'q', kind: 'quiver', datasets: [{ series: 'w', filter: {}, bindings: { x: 'px', y: 'py', u: 'pu', v: 'pv' } }] };
    expect(toSpec(fromSpec(quiver)).datasets[0]!.bindings).toEqual({ x: 'px', y: 'py', u: 'pu', v: 'pv' });
  });

  it('keeps a text plot\u2019s format and diff, and a table\u2019s columns as the picked fields', () => {
    const text = { name: 't', kind: 'text', format: 'markdown' as const, diff: 'side' as const, datasets: [{ series: 's', filter: {}, bindings: { text: 'out', expected: 'want' } }] };
    const draft = fromSpec(text);
    expect(toSpec(draft)).toMatchObject({ format: 'markdown', diff: 'side', datasets: [{ bindings: { text: 'out', expected: 'want' } }] });
    draft.format = '';
    expect(toSpec(draft).format).toBeUndefined();
    draft.kind = 'line';
    expect(toSpec(draft).diff).toBeUndefined();
    const table = { name: 'r', kind: 'table', datasets: [{ series: 's', filter: {}, bindings: { column: ['step', 'loss'] } }] };
    const t = fromSpec(table);
    expect(t.datasets[0]!.fields).toEqual(['step', 'loss']);
    expect(toSpec(t).datasets[0]!.bindings).toEqual({ column: ['step', 'loss'] });
    t.datasets[0]!.fields = [];
    expect(toSpec(t).datasets[0]!.bindings).toEqual({});
  });

  it('asks each dataset of a media plot for its media, or for a box’s four edges', () => {
    const media: PlotSpec = { name: 'm', kind: 'media', datasets: [
      { series: 's', filter: {}, bindings: { media: 'img', frame: 'step' } },
      { series: 's.boxes', filter: {}, bindings: { x0: 'box.x0', y0: 'box.y0', x1: 'box.x1' } },
    ] };
    expect(missingRoles(fromSpec(media))).toBe('dataset 2: bind fields to media or to x0, y0, x1, y1');
    media.datasets[1]!.bindings = { ...media.datasets[1]!.bindings, y1: 'box.y1' };
    expect(missingRoles(fromSpec(media))).toBeNull();
    expect(toSpec(fromSpec(media)).datasets[1]!.bindings).toMatchObject({ x0: 'box.x0', y1: 'box.y1' });
  });

  it('joins an overlay on several fields, as the grammar allows, and reads them back', () => {
    const spec = { name: 'm', kind: 'media', datasets: [{ series: 'samples', filter: {}, bindings: { media: 'img', frame: 'step', join: ['step', 'index'] } }] };
    const draft = fromSpec(spec);
    expect(draft.datasets[0]).toMatchObject({ join: ['step', 'index'], fields: expect.arrayContaining(['img', 'step', 'index']) });
    expect(draft.datasets[0]!.bindings.join).toBeUndefined();
    expect(toSpec(draft).datasets[0]!.bindings).toEqual(spec.datasets[0]!.bindings);
    draft.datasets[0]!.join = ['step'];
    expect(toSpec(draft).datasets[0]!.bindings.join).toBe('step'); // one field: a name
    draft.datasets[0]!.join = [];
    expect(toSpec(draft).datasets[0]!.bindings.join).toBeUndefined();
    draft.kind = 'line'; // a kind without the role drops it
    draft.datasets[0]!.join = ['step', 'index'];
    expect(toSpec(draft).datasets[0]!.bindings.join).toBeUndefined();
  });

  it('keeps a per-run dataset, and parallel coordinates’ dims as the picked fields in order', () => {
    const spec = { name: 'hp', kind: 'parallel', datasets: [{ series: 'train', per_run: true, filter: {}, bindings: { dims: ['attr.lr', 'min.loss'], color: 'min.loss' } }] };
    const draft = fromSpec(spec);
    expect(draft.datasets[0]).toMatchObject({ perRun: true, fields: ['attr.lr', 'min.loss'] });
    expect(missingRoles(draft)).toBeNull();
    expect(toSpec(draft).datasets[0]).toEqual(spec.datasets[0]);
    draft.datasets[0]!.fields = [];
    expect(missingRoles(draft)).toMatch(/dims/);
  });
});

describe('y range', () => {
  it('writes a y range other than auto for lines and scatters, and reads it back', () => {
    const spec = { name: 'l', kind: 'line', y_range: 'robust' as const, datasets: [{ series: 's', filter: {}, bindings: { x: 'step', y: 'loss' } }] };
    const draft = fromSpec(spec);
    expect(draft.yRange).toBe('robust');
    expect(toSpec(draft).y_range).toBe('robust');
    draft.yRange = 'auto';
    expect(toSpec(draft).y_range).toBeUndefined();
  });
});
