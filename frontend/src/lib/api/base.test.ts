import { describe, expect, it } from 'vitest';
import { apiUrl, stripBase, withBase } from './base';

describe('base path', () => {
  it('leaves paths alone at the root', () => {
    expect(apiUrl('/api/runs')).toBe('/api/runs');
    expect(stripBase('/runs', '/')).toBe('/runs');
    expect(withBase('/runs', '/')).toBe('/runs');
  });
  it('strips and adds a proxy prefix', () => {
    expect(stripBase('/sv/runs', '/sv/')).toBe('/runs');
    expect(stripBase('/sv/', '/sv/')).toBe('/');
    expect(stripBase('/sv', '/sv/')).toBe('/');
    expect(stripBase('/svx/runs', '/sv/')).toBe('/svx/runs');
    expect(withBase('/runs', '/sv/')).toBe('/sv/runs');
    expect(withBase('/', '/sv/')).toBe('/sv/');
    expect(withBase('/sv/build', '/sv/')).toBe('/sv/build');
  });
});
