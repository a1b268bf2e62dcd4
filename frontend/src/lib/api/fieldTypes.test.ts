import { afterEach, describe, expect, it } from 'vitest';
import builtin from './builtinTypes.json';
import { hasTrait, isContinuous, parseTyped, setFieldTypes, typeInfo, type TypeInfo } from './fieldTypes.svelte';
import { looksLikeUnixSeconds } from '../plot/ticks';

describe('the field type table', () => {
  afterEach(() => setFieldTypes(builtin as TypeInfo[]));

  it('knows the built-in types before the server answers', () => {
    expect(parseTyped('10', 'int')).toBe(10);
    expect(parseTyped('false', 'bool')).toBe(false);
    expect(parseTyped('adam', 'string')).toBe('adam');
    expect(hasTrait('int', 'discrete') && hasTrait('int', 'numeric')).toBe(true);
    expect(isContinuous('float')).toBe(true);
    expect(typeInfo('timestamp')).toBeUndefined();
  });

  it('takes a type the server registered from its row alone', () => {
    setFieldTypes([
      ...(builtin as TypeInfo[]),
      { name: 'timestamp', description: 'ns', traits: ['numeric'], value: 'number', continuous: true },
    ]);
    expect(parseTyped('1764700000', 'timestamp')).toBe(1764700000);
    expect(hasTrait('timestamp', 'numeric')).toBe(true);
    expect(hasTrait('timestamp', 'discrete')).toBe(false);
    expect(looksLikeUnixSeconds(1.7e9, 1.70001e9, 'when', 'timestamp')).toBe(true);
  });

  it('reads a value of an unknown type as text', () => {
    expect(parseTyped('3', 'no-such-type')).toBe('3');
    expect(isContinuous(undefined)).toBe(false);
  });
});
