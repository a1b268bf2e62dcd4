import { describe, expect, it } from 'vitest';
import { fromSpec, toSpec } from './draft';

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
});
