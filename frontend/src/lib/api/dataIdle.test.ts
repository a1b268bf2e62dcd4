import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataInFlight, dataRequestStarted, whenDataIdle } from './dataIdle';

describe('whenDataIdle', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at once when nothing is in flight', () => {
    const fn = vi.fn();
    whenDataIdle(fn, 1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('waits for every request in flight, each counted once however often it ends', () => {
    const a = dataRequestStarted();
    const b = dataRequestStarted();
    const fn = vi.fn();
    whenDataIdle(fn, 60_000);
    a();
    a();
    expect(fn).not.toHaveBeenCalled();
    expect(dataInFlight()).toBe(1);
    b();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(dataInFlight()).toBe(0);
  });

  it('gives up waiting after the longest wait, and a cancelled wait never runs', () => {
    vi.useFakeTimers();
    const done = dataRequestStarted();
    const fn = vi.fn();
    const other = vi.fn();
    whenDataIdle(fn, 100);
    const cancel = whenDataIdle(other, 100);
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
