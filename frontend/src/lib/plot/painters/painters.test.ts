import { describe, expect, it } from 'vitest';
import { KINDS, ROLE_TYPES, setGrammar, type Grammar } from '../../api/grammar';
import served from '../../api/grammar.fixture.json';
import { DatasetState } from '../dataset';
import { isRowsPainter, painterById, painterFor } from '.';
import { stemPath } from './stem';

describe('painter registry', () => {
  it('has the painter of every kind the server serves', () => {
    expect(KINDS.length).toBeGreaterThan(0);
    for (const k of KINDS) {
      // Text and table show rows as page elements (TextPlot, TablePlot), not through GL.
      if (isRowsPainter(k.id)) expect(['text', 'table', 'media', 'parallel']).toContain(k.painter);
      else expect(painterFor(k.id)).toBe(painterById(k.painter));
    }
    expect(isRowsPainter('text')).toBe('text');
    expect(isRowsPainter('table')).toBe('table');
    expect(isRowsPainter('media')).toBe('media');
    expect(isRowsPainter('parallel')).toBe('parallel');
    expect(isRowsPainter('line')).toBeNull();
  });

  it('says why a kind cannot be drawn', () => {
    expect(() => painterFor('pie')).toThrow(/plot kind "pie" is not one this server draws \(line, scatter/);
  });

  it('draws a kind the server adds with the painter it names, with no change here', () => {
    const grammar = served as Grammar;
    const dots = { id: 'dots', label: 'Dots', hint: '', roles: ['x', 'y'], required: ['x', 'y'], reduction: 'density', painter: 'scatter' };
    setGrammar({ ...grammar, kinds: [...grammar.kinds, dots] });
    try {
      const host = { kind: 'dots', palette: undefined, fields: new Map(), pixels: () => 100, changed: () => {} };
      const ds = new DatasetState({ series: 's', bindings: { x: 'a', y: 'b' } }, host);
      expect(ds.painter).toBe(painterById('scatter'));
      expect(ds.points).not.toBeNull();
      expect(ds.lines).toBeNull();
      expect(ds.request.kind).toBe('dots');
      expect(() => new DatasetState({ series: 's', bindings: { x: 'a', y: 'b' } }, { ...host, kind: 'pie' })).toThrow(/"pie"/);
    } finally {
      setGrammar(grammar);
    }
    expect(KINDS.map((k) => k.id)).toEqual(['line', 'scatter', 'histogram', 'heatmap', 'bar', 'box', 'stem', 'area', 'band', 'text', 'table', 'media', 'scatter3d', 'surface', 'contour', 'quiver', 'mesh', 'parallel']);
    expect(ROLE_TYPES['x']).toEqual(['float', 'int']);
  });
});

describe('stem painter', () => {
  it('makes per point a stem from 0 and back, so one strip draws the stems and the baseline', () => {
    const p = stemPath(Float64Array.from([1, 2]), Float64Array.from([3, -4]));
    expect([...p.x]).toEqual([1, 1, 1, 2, 2, 2]);
    expect([...p.y]).toEqual([0, 3, 0, 0, -4, 0]);
  });
});
