import { describe, expect, it } from 'vitest';
import { formatTick, formatTime, formatValue } from './format';
import { linearTicks, logTicks, looksLikeUnixSeconds, niceStep, timeTicks } from './ticks';

describe('linear ticks', () => {
  it('uses 1-2-5 steps inside the range', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(1e6, 4)).toBe(200000);
    expect(niceStep(0.03, 3)).toBeCloseTo(0.01);
    const t = linearTicks(0.1, 9.9, 5);
    expect(t.step).toBe(2);
    expect(t.ticks.map((x) => x.value)).toEqual([2, 4, 6, 8]);
  });

  it('has no float drift in tick values', () => {
    const t = linearTicks(0, 1, 10);
    expect(formatTick(t.ticks[3]?.value ?? 0, t.step)).toBe('0.3');
  });

  it('gives distinct labels when zoomed in far at 1.7e9', () => {
    const t = linearTicks(1.7e9 + 0.2, 1.7e9 + 6.8, 5);
    const labels = t.ticks.map((x) => formatTick(x.value, t.step, 1.7e9));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels[0]).toBe('1700000001');
  });

  it('returns nothing for an empty or broken range', () => {
    expect(linearTicks(1, 1, 5).ticks).toEqual([]);
    expect(linearTicks(NaN, 1, 5).ticks).toEqual([]);
  });
});

describe('log ticks', () => {
  it('puts major ticks on decades', () => {
    const t = logTicks(0, 6, 8);
    expect(t.ticks.filter((x) => x.major).map((x) => x.value)).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
  });
  it('thins decades over a wide range', () => {
    const t = logTicks(-12, 12, 6);
    const major = t.ticks.filter((x) => x.major);
    expect(major.length).toBeLessThanOrEqual(7);
    expect(major.every((x) => Number.isInteger(x.pos))).toBe(true);
  });
  const labels = (min: number, max: number, count: number): number[] =>
    logTicks(Math.log10(min), Math.log10(max), count).ticks.filter((x) => x.major).map((x) => x.value);
  it('keeps powers of ten alone where they give labels enough', () => {
    expect(labels(1, 1000, 8)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(0, 3, 8).ownPrecision).toBe(true);
  });
  it('labels 2 and 5 times the powers of ten over about a decade', () => {
    expect(labels(3, 40, 8)).toEqual([5, 10, 20]);
    expect(labels(0.03, 0.4, 8)).toEqual([0.05, 0.1, 0.2]);
    const t = logTicks(Math.log10(3), Math.log10(40), 8);
    expect(t.ownPrecision).toBe(true);
    expect(t.ticks.filter((x) => x.major).map((x) => formatTick(x.value, x.value, x.value))).toEqual(['5', '10', '20']);
    // Grid lines at the other multiples, unlabelled, where there is room.
    expect(t.ticks.filter((x) => !x.major).map((x) => x.value)).toEqual([3, 4, 6, 7, 8, 9, 30, 40]);
  });
  it('keeps a short axis to powers of ten rather than crowd it', () => {
    // 1.2 to 900: eight 1-2-5 labels would overlap on an axis with room for 2 intervals.
    expect(labels(1.2, 900, 2)).toEqual([10, 100]);
    expect(labels(1.2, 900, 8)).toEqual([2, 5, 10, 20, 50, 100, 200, 500]);
  });
  it('falls back to linear values where even 2 and 5 give fewer than three labels', () => {
    const t = logTicks(Math.log10(0.2), Math.log10(0.9), 5);
    expect(t.ticks.map((x) => x.value)).toEqual([0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9]);
    expect(t.ticks.map((x) => formatTick(x.value, t.step))).toEqual(['0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9']);
    expect(t.ownPrecision).toBeFalsy();
  });
  it('falls back to linear values inside one decade', () => {
    const t = logTicks(Math.log10(2), Math.log10(8), 5);
    expect(t.ticks.map((x) => x.value)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(t.ticks[0]?.pos).toBeCloseTo(Math.log10(2));
  });
});

describe('time ticks', () => {
  it('steps on round clock units', () => {
    const t = timeTicks(1.7e9, 1.7e9 + 3600, 6);
    expect(t.step).toBe(600);
    expect(t.ticks.every((x) => x.value % 600 === 0)).toBe(true);
  });
  it('detects unix seconds', () => {
    expect(looksLikeUnixSeconds(1.7e9, 1.70001e9, 'time', 'float')).toBe(true);
    expect(looksLikeUnixSeconds(1.7e9, 1.70001e9, 'step', 'int')).toBe(false);
    expect(looksLikeUnixSeconds(0, 100, 'time', 'float')).toBe(false);
  });
  it('formats as much as the step needs', () => {
    const s = new Date(2026, 0, 2, 3, 4, 5).getTime() / 1000;
    expect(formatTime(s, 86400)).toBe('2026-01-02');
    expect(formatTime(s, 60)).toBe('03:04');
    expect(formatTime(s, 1)).toBe('03:04:05');
  });
});

describe('number formatting', () => {
  it('uses SI suffixes when short', () => {
    expect(formatTick(1500000, 500000)).toBe('1.5M');
    expect(formatTick(250000, 50000, 1e6)).toBe('250k');
    expect(formatTick(0.00002, 0.00001)).toBe('20µ');
    expect(formatTick(0, 1)).toBe('0');
    expect(formatTick(12, 2)).toBe('12');
    expect(formatTick(0.25, 0.05)).toBe('0.25');
  });
  it('reads out values exactly', () => {
    expect(formatValue(1700000001)).toBe('1700000001');
    expect(formatValue(0.123456789)).toBe('0.123457');
    expect(formatValue(1700000000.25)).toBe('1700000000.25');
    expect(formatValue(1e-7)).toBe('1e-7');
  });
});
