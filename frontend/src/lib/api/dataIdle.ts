/**
 * Whether data requests (POST /api/data) are in flight, for work that should wait its turn:
 * the workspace's panels just below the fold fetch once those in view have their data, so
 * on a first visit the panels one can see are not slowed by the ones one cannot.
 */
let inFlight = 0;
const waiting = new Set<() => void>();

/** Counts a data request from now until `done` (call it once, however it ended). */
export function dataRequestStarted(): () => void {
  inFlight += 1;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    inFlight -= 1;
    if (inFlight === 0) for (const fn of [...waiting]) fn();
  };
}

/**
 * Calls `fn` once no data request is in flight (now, if none is), or after `maxWaitMs`
 * whatever is in flight (a live page always has some). Returns a cancel.
 */
export function whenDataIdle(fn: () => void, maxWaitMs: number): () => void {
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
  if (inFlight === 0) {
    fn();
    return () => {};
  }
  waiting.add(run);
  timer = setTimeout(run, maxWaitMs);
  return cancel;
}

/** Data requests in flight now (tests). */
export function dataInFlight(): number {
  return inFlight;
}
