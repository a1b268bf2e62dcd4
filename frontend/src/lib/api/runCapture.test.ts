import { describe, expect, it } from 'vitest';
import { barText, formatSeconds, type Bar } from './runCapture';

const bar = (done: number, total: number, eta: number | null): Bar => ({
  desc: 'epoch 1', done, total, rate: 10, elapsed: 1, time: 0, eta,
});

describe('progress read-outs', () => {
  it('says done/total, percent and ETA', () => {
    expect(barText(bar(50, 100, 5))).toBe('epoch 1: 50/100 (50%), ETA 5s');
    expect(barText(bar(100, 100, 0))).toBe('epoch 1: 100/100 (100%)');
  });
  it('shows a spinner as a count', () => {
    expect(barText({ ...bar(7, -1, null), desc: '' })).toBe('7');
  });
  it('formats durations', () => {
    expect(formatSeconds(42)).toBe('42s');
    expect(formatSeconds(185)).toBe('3m 05s');
    expect(formatSeconds(3720)).toBe('1h 02m');
    expect(formatSeconds(null)).toBe('');
  });
});
