import { describe, expect, it } from 'vitest';
import { TIME_FIELDS, withTimeFields } from './timeFields';

describe('time pseudo-fields', () => {
  it('follow a series own fields, once', () => {
    expect(withTimeFields(['step', 'loss'])).toEqual(['step', 'loss', '_time', '_elapsed']);
    expect(withTimeFields(['step', '_time'])).toEqual(['step', '_time', '_elapsed']);
  });
  it('are floats, so they bind to x and y', () => {
    expect([...TIME_FIELDS.values()]).toEqual(['float', 'float']);
  });
});
