import { describe, expect, it } from 'vitest';
import { pointPx } from './styles';

describe('pointPx', () => {
  it('draws a few points large and a cloud small', () => {
    expect(pointPx(3)).toBe(8);
    expect(pointPx(100)).toBe(8);
    expect(pointPx(101)).toBe(5);
    expect(pointPx(2_000)).toBe(5);
    expect(pointPx(10_000)).toBe(3);
  });
});
