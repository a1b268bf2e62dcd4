/**
 * A run's duration, as the run search and compare tables show it: from started_at to its
 * last rows (GET /api/run-times, kept up by live appends), so a finished run shows how long it
 * ran and a live one how long it has run so far (marked live beside it).
 */

/** Seconds from `startedAt` to the later of the server's last data time and the last live append (ms); null when neither is known. */
export function runDuration(startedAt: number, lastData: number | undefined, lastWriteMs: number | undefined): number | null {
  const end = Math.max(lastData ?? -Infinity, lastWriteMs === undefined ? -Infinity : lastWriteMs / 1000);
  return Number.isFinite(end) ? Math.max(0, end - startedAt) : null;
}

/** "42 s", "3 min 05 s", "2 h 07 min", "3 d 04 h": the two largest units, fixed width after the first. */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${two(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86400)} d ${two(Math.floor((s % 86400) / 3600))} h`;
}
