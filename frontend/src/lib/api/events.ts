/**
 * The live-event WebSocket (GET /api/events), one per page, shared by every plot. No polling:
 * plots fetch data only when an event says there is something new.
 *
 * Ordering guarantee that makes this gap-free: on every (re)connect, subscribers are told
 * through `onOpen` and catch up by asking for rows after the sequence they hold; events after
 * that arrive on the open socket. On reconnect, `after_sequence` = the last sequence seen here
 * makes the server replay the rows_appended events missed meanwhile.
 */
import { basePath } from './base';
import type { LiveEvent } from './types';

/** Messages about the connection itself, not events (docs/http-api.md, "Live events"). */
type ControlMessage =
  | { type: 'reconnect'; after_sequence: number; message: string }
  | { type: 'error'; error: string; message: string };

export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'stopped';

export interface LiveSubscriber {
  event(ev: LiveEvent): void;
  /** The socket is open; `reconnected` is false the first time. */
  open?(reconnected: boolean): void;
}

/** Backoff before reconnect attempt `n` (0-based): 0.5 s doubling to 10 s, with ±25% jitter. */
export function backoffMs(n: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.min(n, 10));
  return Math.round(base * (0.75 + 0.5 * random()));
}

export function eventsUrl(loc: { protocol: string; host: string }, afterSequence: number | null): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = afterSequence !== null && afterSequence > 0 ? `?after_sequence=${afterSequence}` : '';
  return `${proto}//${loc.host}${basePath()}api/events${q}`;
}

export class LiveEvents {
  private ws: WebSocket | null = null;
  private subscribers = new Set<LiveSubscriber>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private everOpened = false;
  /** Highest sequence seen in an event: where a reconnect resumes. */
  lastSequence = 0;
  status: LiveStatus = 'stopped';
  onStatus: ((s: LiveStatus) => void) | null = null;

  constructor(
    private readonly makeSocket: (url: string) => WebSocket = (url) => new WebSocket(url),
    private readonly where: () => { protocol: string; host: string } = () => location,
  ) {}

  subscribe(s: LiveSubscriber): () => void {
    this.subscribers.add(s);
    if (this.status === 'stopped') this.connect();
    else if (this.status === 'open') s.open?.(false);
    return () => {
      this.subscribers.delete(s);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  private setStatus(s: LiveStatus): void {
    this.status = s;
    this.onStatus?.(s);
  }

  private connect(): void {
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    let ws: WebSocket;
    try {
      ws = this.makeSocket(eventsUrl(this.where(), this.everOpened ? this.lastSequence : null));
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempts = 0;
      this.setStatus('open');
      for (const s of this.subscribers) s.open?.(reconnected);
    };
    ws.onmessage = (m: MessageEvent) => {
      if (typeof m.data !== 'string') return;
      let ev: LiveEvent | ControlMessage;
      try {
        ev = JSON.parse(m.data) as LiveEvent | ControlMessage;
      } catch {
        return; // a malformed message must not take the page down
      }
      if (ev.type === 'reconnect') {
        // The server is dropping us (we fell behind, or it shuts down) and says where to resume.
        this.lastSequence = ev.after_sequence;
        return;
      }
      if (ev.type === 'error') return; // followed by a close; the retry logs nothing useful to a user
      if (ev.type === 'rows_appended' && ev.sequence > this.lastSequence) this.lastSequence = ev.sequence;
      for (const s of this.subscribers) s.event(ev);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.retry();
    };
    ws.onerror = () => ws.close();
  }

  private retry(): void {
    this.ws = null;
    if (this.subscribers.size === 0) return this.stop();
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, backoffMs(this.attempts++));
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.setStatus('stopped');
  }
}

let shared: LiveEvents | null = null;

export function liveEvents(): LiveEvents {
  shared ??= new LiveEvents();
  return shared;
}
