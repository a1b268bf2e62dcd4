/**
 * The workspace's panels in view that have not drawn yet. The panels just below the fold
 * fetch once those in view have drawn, so on a first visit the panels one can see are not
 * slowed by the ones one cannot (on two cores the server and the browser share them).
 *
 * Counted are first draws, not data requests: a live page always has some requests in
 * flight (each run's new rows), so waiting for none needed a short cap, and at a busy
 * server's pace that cap let the panels below start while those in view still waited.
 */
let pending = 0;
const waiting = new Set<() => void>();

/** Counts a panel in view from now until `done` (call it once, however it ended). */
export function firstDrawStarted(): () => void {
  pending += 1;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    pending -= 1;
    if (pending === 0) for (const fn of [...waiting]) fn();
  };
}

/**
 * Calls `fn` once no panel in view waits for its first draw (now, if none does), or
 * after `maxWaitMs` whatever still waits. Returns a cancel.
 */
export function whenDrawn(fn: () => void, maxWaitMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = (): void => {
    cancel();
    fn();
  };
  const cancel = (): void => {
    waiting.delete(run);
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  if (pending === 0) {
    fn();
    return () => {};
  }
  waiting.add(run);
  timer = setTimeout(run, maxWaitMs);
  return cancel;
}

/** Panels waiting for their first draw now (tests). */
export function firstDrawsPending(): number {
  return pending;
}
