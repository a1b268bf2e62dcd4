import { describe, expect, it } from 'vitest';
import { differingLabels, formatAttribute, isBookkeeping } from './runLabels';

describe('run labels', () => {
  it('names only the attributes that differ, numbers with their names, strings by value', () => {
    const runs = new Map([
      ['a', { lr: 0.001, optimizer: 'adam', batch_size: 32, 'env.hostname': 'h1' }],
      ['b', { lr: 0.0030000000000000005, optimizer: 'sgd', batch_size: 32, 'env.hostname': 'h2' }],
    ]);
    const labels = differingLabels(runs);
    expect(labels.get('a')).toBe('lr=0.001 · adam');
    expect(labels.get('b')).toBe('lr=0.003 · sgd');
  });
  it('falls back to the short handle when nothing differs', () => {
    const h = '12345678-aaaa-4bbb-8ccc-123456789abc';
    expect(differingLabels(new Map([[h, { lr: 1 }]])).get(h)).toBe('12345678');
  });
  it('marks a missing attribute and hides bookkeeping ones', () => {
    const labels = differingLabels(new Map<string, Record<string, number>>([['a', { seed: 1 }], ['b', {}]]));
    expect(labels.get('b')).toBe('seed=–');
    expect(isBookkeeping('command.argv')).toBe(true);
    expect(isBookkeeping('lr')).toBe(false);
    expect(formatAttribute(true)).toBe('true');
  });
});
