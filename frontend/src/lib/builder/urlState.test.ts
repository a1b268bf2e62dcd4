import { describe, expect, it } from 'vitest';
import { emptyDataset, noSmoothing, type PlotDraft } from './draft';
import { draftFromParam, draftQuery } from './urlState';

const base = (): PlotDraft => ({
  name: '', title: '', kind: 'line', datasets: [emptyDataset({})], facetColumns: 3, frame: 'latest', reduce: {}, view: '', smooth: noSmoothing(), yRange: 'auto',
  scales: { x: 'lin', y: 'lin', x2: 'lin', y2: 'lin' },
});

describe('builder URL state', () => {
  it('keeps a smoothing from the URL and fills in what it lacks', () => {
    expect(draftFromParam(JSON.stringify({ smooth: { method: 'window', window: 9 } }), base()).smooth).toEqual({ method: 'window', ema: 0.6, window: 9 });
    expect(draftFromParam(JSON.stringify({ smooth: null }), base()).smooth).toEqual(noSmoothing());
  });

  it('round-trips a draft through its query string', () => {
    const d = base();
    d.kind = 'scatter';
    d.datasets[0] = { ...emptyDataset({ tags_any: ['a'] }), series: 'train', fields: ['step', 'loss'], bindings: { x: 'step', y: 'loss' } };
    d.scales.y = 'log';
    const q = new URLSearchParams(draftQuery(d, null));
    expect(q.get('plot')).toBeNull();
    expect(draftFromParam(q.get('draft')!, base())).toEqual(d);
  });

  it('names the saved plot alone until the draft changes', () => {
    const d = base();
    d.name = 'p';
    const saved = { name: 'p', json: JSON.stringify(d) };
    expect(draftQuery(d, saved)).toBe('plot=p');
    d.title = 'changed';
    const q = new URLSearchParams(draftQuery(d, saved));
    expect(q.get('plot')).toBe('p');
    expect(draftFromParam(q.get('draft')!, base()).title).toBe('changed');
  });

  it('keeps the defaults for keys of the wrong type or unknown, and refuses a non-object', () => {
    const d = draftFromParam(JSON.stringify({ kind: 3, title: 't', extra: 1, datasets: [{ series: 's' }] }), base());
    expect(d.kind).toBe('line');
    expect(d.title).toBe('t');
    expect('extra' in d).toBe(false);
    expect(d.datasets[0]).toEqual({ ...emptyDataset({}), series: 's' });
    expect(() => draftFromParam('[1]', base())).toThrow();
    expect(() => draftFromParam('{', base())).toThrow();
  });
});
