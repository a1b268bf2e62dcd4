import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveEvents } from './events';
import type { LiveEvent } from './types';

/** Just enough of a WebSocket for LiveEvents: the test drives its callbacks. */
class FakeSocket {
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
    this.onclose?.();
  }
  send(obj: unknown): void {
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
}

describe('LiveEvents', () => {
  let sockets: FakeSocket[];
  let live: LiveEvents;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    live = new LiveEvents(
      (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s as unknown as WebSocket;
      },
      () => ({ protocol: 'http:', host: 'h:8080' }),
    );
  });
  afterEach(() => vi.useRealTimers());

  it('connects on the first subscriber, delivers events and resumes after a drop', () => {
    const got: LiveEvent[] = [];
    const opens: boolean[] = [];
    const stop = live.subscribe({ event: (e) => got.push(e), open: (r) => opens.push(r) });
    expect(sockets[0]?.url).toBe('ws://h:8080/api/events');
    sockets[0]?.onopen?.();
    sockets[0]?.send({ type: 'rows_appended', run: 'r', series: 's', sequence: 41, rows: 1 });
    sockets[0]?.send({ type: 'run_deleted', handle: 'r' });
    expect(got.map((e) => e.type)).toEqual(['rows_appended', 'run_deleted']);
    sockets[0]?.close();
    expect(live.status).toBe('reconnecting');
    vi.advanceTimersByTime(1000);
    expect(sockets[1]?.url).toBe('ws://h:8080/api/events?after_sequence=41');
    sockets[1]?.onopen?.();
    expect(opens).toEqual([false, true]);
    stop();
    expect(live.status).toBe('stopped');
  });

  it('resumes where the server says when it drops a slow client', () => {
    live.subscribe({ event: () => undefined });
    sockets[0]?.onopen?.();
    sockets[0]?.send({ type: 'rows_appended', run: 'r', series: 's', sequence: 90, rows: 1 });
    sockets[0]?.send({ type: 'reconnect', after_sequence: 42, message: 'fell behind' });
    sockets[0]?.close();
    vi.advanceTimersByTime(1000);
    expect(sockets[1]?.url).toMatch(/after_sequence=42$/);
  });

  it('ignores malformed messages and backs off while the server is away', () => {
    const got: LiveEvent[] = [];
    live.subscribe({ event: (e) => got.push(e) });
    sockets[0]?.onmessage?.({ data: 'not json' });
    expect(got).toEqual([]);
    sockets[0]?.close(); // never opened: still "connecting"
    vi.advanceTimersByTime(700);
    sockets[1]?.close();
    vi.advanceTimersByTime(400); // the second wait is longer than the first
    expect(sockets.length).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(sockets.length).toBe(3);
    expect(live.status).toBe('connecting');
  });
});
