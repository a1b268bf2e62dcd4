import { describe, expect, it } from 'vitest';
import { KINDS, kindById, ROLE_TYPES } from '../api/grammar';
import { refusal } from './roles';

describe('role type rules', () => {
  it('takes numbers for positions, size, order and frame', () => {
    for (const role of ['x', 'y', 'z', 'size', 'order', 'frame'] as const) {
      expect(refusal(role, 'loss', 'float')).toBeNull();
      expect(refusal(role, 'step', 'int')).toBeNull();
      expect(refusal(role, 'opt', 'string')).toMatch(/"opt" is string: .* needs numbers \(float, int\)/);
      expect(refusal(role, 'ok', 'bool')).toMatch(/is bool/);
    }
  });

  it('takes discrete values for group and facet', () => {
    for (const role of ['group', 'facet'] as const) {
      for (const t of ['int', 'string', 'bool'] as const) expect(refusal(role, 'f', t)).toBeNull();
      expect(refusal(role, 'lr', 'float')).toBe('"lr" is float: ' + role + ' splits the data by value, so it needs discrete values (bool, int, string)');
    }
  });

  it('takes every type for color', () => {
    for (const t of ['int', 'float', 'string', 'bool'] as const) expect(refusal('color', 'f', t)).toBeNull();
  });

  it('lets the run split and color, never position', () => {
    expect(refusal('group', 'run', undefined)).toBeNull();
    expect(refusal('color', 'run', undefined)).toBeNull();
    expect(refusal('facet', 'run', undefined)).toBeNull();
    expect(refusal('x', 'run', undefined)).toMatch(/run is a handle/);
  });

  it('names a field that does not exist', () => {
    expect(refusal('x', 'nope', undefined)).toBe('there is no field named "nope"');
  });

  it('covers every role every kind offers', () => {
    for (const k of KINDS) {
      for (const r of [...k.roles, ...k.required]) expect(ROLE_TYPES[r]).toBeDefined();
      expect(kindById(k.id)).toBe(k);
    }
    expect(kindById('pie')).toBeUndefined();
  });
});
