import { describe, expect, it } from 'vitest';
import { kindById } from '../api/grammar';
import { preselect } from './preselect';

const types = new Map([['step', 'int'], ['epoch', 'int'], ['loss', 'float'], ['acc', 'float'], ['phase', 'string']]);

describe('builder preselection', () => {
  it('binds x to the first int and y to the first float for a line', () => {
    expect(preselect(kindById('line')!, ['phase', 'loss', 'step', 'acc', 'epoch'], types)).toEqual({ x: 'step', y: 'loss' });
  });

  it('falls back to two floats when the series has no int field', () => {
    expect(preselect(kindById('line')!, ['loss', 'acc'], types)).toEqual({ x: 'loss', y: 'acc' });
    expect(preselect(kindById('line')!, ['phase'], types)).toEqual({});
  });

  it('plots a snapshot series as a scatter of the latest step, colored by run', () => {
    expect(preselect(kindById('scatter')!, ['step', 'loss', 'acc'], types)).toEqual({ x: 'loss', y: 'acc', frame: 'step', color: 'run' });
    expect(preselect(kindById('scatter')!, ['step', 'loss'], types)).toEqual({ x: 'step', y: 'loss', color: 'run' });
  });

  it('binds x to the field the series names as its x, int or float, and y to the first other float', () => {
    const waves = new Map([...types, ['t', 'float'], ['wave', 'int'], ['value', 'float']]);
    expect(preselect(kindById('line')!, ['t', 'wave', 'value'], waves)).toEqual({ x: 'wave', y: 't' });
    expect(preselect(kindById('line')!, ['t', 'wave', 'value'], waves, 't')).toEqual({ x: 't', y: 'value' });
    expect(preselect(kindById('line')!, ['step', 'epoch', 'loss'], types, 'epoch')).toEqual({ x: 'epoch', y: 'loss' });
    // A named x that is no numeric field of the series (a stale schema) is passed over.
    expect(preselect(kindById('line')!, ['phase', 'step', 'loss'], types, 'phase')).toEqual({ x: 'step', y: 'loss' });
  });

  it('counts values, not steps, for a one-axis kind', () => {
    expect(preselect(kindById('histogram')!, ['step', 'loss'], types)).toEqual({ x: 'loss' });
  });
});
