import { afterEach, describe, expect, it, vi } from 'vitest';
import { firstDrawStarted, firstDrawsPending, whenDrawn } from './firstDraws';

describe('whenDrawn', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at once when nothing is in flight', () => {
    const fn = vi.fn();
    whenDrawn(fn, 1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('waits for every panel pending, each counted once however often it ends', () => {
    const a = firstDrawStarted();
    const b = firstDrawStarted();
    const fn = vi.fn();
    whenDrawn(fn, 60_000);
    a();
    a();
    expect(fn).not.toHaveBeenCalled();
    expect(firstDrawsPending()).toBe(1);
    b();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(firstDrawsPending()).toBe(0);
  });

  it('gives up waiting after the longest wait, and a cancelled wait never runs', () => {
    vi.useFakeTimers();
    const done = firstDrawStarted();
    const fn = vi.fn();
    const other = vi.fn();
    whenDrawn(fn, 100);
    const cancel = whenDrawn(other, 100);
    cancel();
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    done();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(other).not.toHaveBeenCalled();
  });
});
