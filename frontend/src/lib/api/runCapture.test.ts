import { describe, expect, it } from 'vitest';
import { barText, formatBytes, formatSeconds, isCaptured, type Bar } from './runCapture';

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

describe('byte counts', () => {
  it('reads in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatBytes(null)).toBe('');
  });
});

describe('captured attributes', () => {
  it('are those of command, env and git, not config', () => {
    expect(['command.argv', 'env.python', 'git.commit', 'config.lr', 'lr', 'gitx'].filter(isCaptured)).toEqual([
      'command.argv', 'env.python', 'git.commit',
    ]);
  });
});
