import { describe, expect, it } from 'vitest';
import { backoffMs, eventsUrl } from '../api/events';
import { categoricalColor, ColorScale, continuousColor, isCategorical } from './palette';

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
