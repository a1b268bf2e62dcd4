import { describe, expect, it } from 'vitest';
import { backoffMs, eventsUrl } from '../api/events';
import { categoricalColor, ColorScale, continuousColor, isCategorical, RunColors, scaleT, wantsLog } from './palette';

describe('palettes', () => {
  it('maps the ends of viridis to its first and last colors', () => {
    expect(continuousColor('viridis', 0)).toEqual([0x44, 0x01, 0x54, 255]);
    expect(continuousColor('viridis', 1)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(continuousColor('viridis', 7)).toEqual(continuousColor('viridis', 1));
    expect(continuousColor('nope', 0)).toEqual(continuousColor('viridis', 0));
  });
  it('cycles tab10 and spreads continuous palettes over categories', () => {
    expect(categoricalColor('tab10', 0, 3)).toEqual([0x1f, 0x77, 0xb4, 255]);
    expect(categoricalColor('tab10', 10, 11)).toEqual(categoricalColor('tab10', 0, 11));
    expect(categoricalColor('viridis', 2, 3)).toEqual(continuousColor('viridis', 1));
    expect(isCategorical('tab10')).toBe(true);
    expect(isCategorical('viridis')).toBe(false);
  });
  it('keeps a category its color as others arrive', () => {
    const s = new ColorScale('tab10', false);
    s.observe('run-b');
    const before = s.color('run-b');
    s.observe('run-a');
    expect(s.color('run-b')).toEqual(before);
    expect(s.categoryList()).toEqual(['run-b', 'run-a']);
  });
  it('scales numbers over the seen range', () => {
    const s = new ColorScale('viridis', true);
    s.observe(1e-4);
    s.observe(1e-2);
    expect(s.color(1e-2)).toEqual(continuousColor('viridis', 1));
    expect(s.color(1e-4)).toEqual(continuousColor('viridis', 0));
  });
});

describe('live events', () => {
  it('backs off from half a second to ten, with jitter', () => {
    expect(backoffMs(0, () => 0.5)).toBe(500);
    expect(backoffMs(3, () => 0.5)).toBe(4000);
    expect(backoffMs(30, () => 0.5)).toBe(10000);
    expect(backoffMs(0, () => 0)).toBe(375);
  });
  it('resumes from the last sequence', () => {
    expect(eventsUrl({ protocol: 'https:', host: 'h:1' }, 42)).toBe('wss://h:1/api/events?after_sequence=42');
    expect(eventsUrl({ protocol: 'http:', host: 'h' }, null)).toBe('ws://h/api/events');
  });
});

/** Hue in degrees of an RGB color. */
function hue(c: number[]): number {
  const [r, g, b] = c.map((v) => v / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

describe('run colors', () => {
  it('gives the first eighteen runs of a page eighteen different colors, none gray, the same each time asked', () => {
    const rc = new RunColors();
    const handles = Array.from({ length: 18 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const colors = handles.map((h) => rc.color(h).join());
    expect(new Set(colors).size).toBe(18);
    for (const c of handles.map((h) => rc.color(h))) expect(Math.max(c[0], c[1], c[2]) - Math.min(c[0], c[1], c[2])).toBeGreaterThan(30);
    // The first nine take the strong colors.
    const fresh = new RunColors();
    expect(handles.slice(0, 9).map((h) => fresh.slot(h)).every((s) => s < 9)).toBe(true);
    expect(rc.color(handles[3] as string).join()).toBe(colors[3]);
  });
  it('gives a run the same color on another page: its preferred color comes from its handle', () => {
    const h = 'f3b1c2d4-0000-4000-8000-000000000001';
    expect(new RunColors().color(h)).toEqual(new RunColors().color(h));
    const spread = new Set(Array.from({ length: 50 }, (_, i) => new RunColors().slot(`run-${i}`)));
    expect(spread.size).toBeGreaterThan(5); // the hash spreads handles over the palette
  });
});

describe('continuous color scales', () => {
  it('spreads a sweep of few values by rank, so close learning rates get distant colors', () => {
    const s = new ColorScale('viridis', true);
    for (const v of [0.001, 0.003, 0.009, 0.027]) s.observe(v);
    expect(s.ordinal).toBe(true);
    const a = s.lineColor(0.001);
    const b = s.lineColor(0.003);
    expect(a).toEqual(continuousColor('viridis', 0));
    expect(b).toEqual(continuousColor('viridis', 1 / 3));
    expect(Math.abs(hue(a) - hue(b))).toBeGreaterThan(30);
  });
  it('goes back to a continuous scale past ORDINAL_MAX values, and is linear within two decades', () => {
    const s = new ColorScale('viridis', true);
    for (let i = 1; i <= 9; i++) s.observe(i);
    expect(s.ordinal).toBe(false);
    expect(s.log).toBe(false);
    expect(s.lineColor(5)).toEqual(continuousColor('viridis', 0.5));
  });
  it('uses a log scale for positive values spanning more than two decades', () => {
    expect(wantsLog(1e-4, 1)).toBe(true);
    expect(wantsLog(1, 100)).toBe(false);
    expect(wantsLog(-1, 1000)).toBe(false);
    const s = new ColorScale('viridis', true);
    for (const v of [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1]) s.observe(v);
    expect(s.log).toBe(true);
    expect(s.color(1e-2)).toEqual(continuousColor('viridis', 0.5));
    expect(scaleT(10, 1, 1000, true)).toBeCloseTo(1 / 3);
    expect(scaleT(5, 0, 10, false)).toBe(0.5);
  });
  it('never ranks in a facet grid, whose panels share one scale', () => {
    const s = new ColorScale('viridis', true);
    s.observe(1);
    s.observe(2);
    s.shared = [0, 4];
    expect(s.ordinal).toBe(false);
    expect(s.lineColor(2)).toEqual(continuousColor('viridis', 0.5));
  });
});
