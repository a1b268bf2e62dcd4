import { describe, expect, it } from 'vitest';
import { formatDuration, runDuration } from './duration';

describe('run duration', () => {
  it('runs from started_at to the later of the last data and the last live append', () => {
    expect(runDuration(100, 160.5, undefined)).toBe(60.5);
    expect(runDuration(100, 160, 170_000)).toBe(70);
    expect(runDuration(100, undefined, undefined)).toBeNull();
  });

  it('says the two largest units', () => {
    expect([42, 185, 7620, 273600].map(formatDuration)).toEqual(['42 s', '3 min 05 s', '2 h 07 min', '3 d 04 h']);
  });
});
