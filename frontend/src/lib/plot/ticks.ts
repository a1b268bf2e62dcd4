/**
 * Tick positions for linear, logarithmic and time axes. Everything works in "scale space":
 * a log axis holds log10(value), so panning and zooming are the same arithmetic for both.
 */
import { isContinuous } from '../api/fieldTypes.svelte';

export interface Tick {
  /** Position in scale space (log10(value) on a log axis). */
  pos: number;
  /** The data value the tick stands for. */
  value: number;
  /** Minor ticks get a grid line but no label. */
  major: boolean;
}

export interface TickSet {
  ticks: Tick[];
  /** Distance between neighbouring major ticks, in data units (for label precision). */
  step: number;
  /** Each label formatted with its own precision, not the step's (a log axis's 0.02, 5, 10k). */
  ownPrecision?: boolean;
}

/** The "nice" step (1, 2 or 5 times a power of ten) for about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return nice * mag;
}

export function linearTicks(min: number, max: number, count: number): TickSet {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return { ticks: [], step: 1 };
  const step = niceStep(max - min, count);
  const first = Math.ceil(min / step);
  const last = Math.floor(max / step);
  const ticks: Tick[] = [];
  // Integer multiples of the step avoid drift like 0.30000000000000004 piling up.
  for (let i = first; i <= last && ticks.length < 1000; i++) {
    const v = i * step;
    ticks.push({ pos: v, value: v, major: true });
  }
  return { ticks, step };
}

/**
 * Fewer labels than this on a log axis and it labels 2 and 5 times each power of ten too;
 * fewer still, and it falls back to linear ticks (as matplotlib's LogLocator subs and d3's
 * log scale do), so an axis spanning a decade or two never shows a lone "10".
 */
const MIN_LOG_LABELS = 3;
/** Decades of float slack when testing whether a tick is inside the range (log10(0.2) is not -1 + log10(2)). */
const LOG_SLACK = 1e-9;

/** Ticks at `subs` times each power of ten in [min, max] (log10 values), each `every` decades. */
function decadeTicks(min: number, max: number, subs: number[], major: boolean, every = 1): Tick[] {
  const out: Tick[] = [];
  for (let d = Math.floor(min); d <= Math.ceil(max); d++) {
    if (d % every !== 0) continue;
    for (const m of subs) {
      const pos = d + Math.log10(m);
      if (pos >= min - LOG_SLACK && pos <= max + LOG_SLACK) out.push({ pos, value: m * 10 ** d, major });
    }
  }
  return out;
}

/**
 * Ticks for an axis whose scale space is log10(value); `min`/`max` are log10 values. Labels
 * (major ticks) are powers of ten, or 1, 2 and 5 times them where powers alone would be too few,
 * or linear values; `ownPrecision` says each log label is formatted on its own (0.02, 5, 10k).
 */
export function logTicks(min: number, max: number, count: number): TickSet {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return { ticks: [], step: 1 };
  const decades = max - min;
  const byPos = (a: Tick, b: Tick): number => a.pos - b.pos;
  const step = 10 ** Math.floor(min);
  // More than about two labels per interval the axis has room for, and they overlap.
  const fits = (labels: Tick[]): boolean => labels.length <= 2 * count + 1;
  const every = Math.max(1, Math.ceil(decades / count));
  const thinned = decadeTicks(min, max, [1], true, every);
  const powers = every > 1 ? decadeTicks(min, max, [1], true) : thinned;
  const onPowers = (labels: Tick[], skip: number): TickSet => {
    const minors = skip > 1 ? [] : decades <= count / 2 ? [2, 3, 4, 5, 6, 7, 8, 9] : decades <= count ? [2, 5] : [];
    return { ticks: [...labels, ...decadeTicks(min, max, minors, false)].sort(byPos), step, ownPrecision: true };
  };
  if (thinned.length >= MIN_LOG_LABELS) return onPowers(thinned, every);
  if (powers.length >= MIN_LOG_LABELS && fits(powers)) return onPowers(powers, 1);
  const oneTwoFive = decadeTicks(min, max, [1, 2, 5], true);
  if (oneTwoFive.length >= MIN_LOG_LABELS && fits(oneTwoFive)) {
    const minors = decades <= count / 2 ? decadeTicks(min, max, [3, 4, 6, 7, 8, 9], false) : [];
    return { ticks: [...oneTwoFive, ...minors].sort(byPos), step, ownPrecision: true };
  }
  // Linear ticks over the values, placed at their logarithms; on a short axis over decades,
  // the powers of ten where they say more.
  const lin = linearTicks(10 ** min * (1 - 1e-12), 10 ** max * (1 + 1e-12), count); // 10**log10(8) is 7.999…
  const linear = lin.ticks.filter((t) => t.value > 0).map((t) => ({ ...t, pos: Math.log10(t.value) }));
  if (powers.length > linear.length && fits(powers)) return onPowers(powers, 1);
  return { ticks: linear, step: lin.step };
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
const TIME_STEPS = [
  1, 2, 5, 10, 15, 30, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY,
];

/** Ticks for unix seconds at round clock times (UTC offset of the browser applied). */
export function timeTicks(min: number, max: number, count: number): TickSet {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return { ticks: [], step: 1 };
  const raw = (max - min) / Math.max(1, count);
  if (raw < 1) return linearTicks(min, max, count);
  const step = TIME_STEPS.find((s) => s >= raw) ?? niceStep(max - min, count);
  // Align to local midnight-based boundaries so "10:00" rather than "10:00 UTC+x" shows.
  const offset = step >= HOUR ? -new Date(min * 1000).getTimezoneOffset() * MINUTE : 0;
  const first = Math.ceil((min + offset) / step) * step - offset;
  const ticks: Tick[] = [];
  for (let v = first; v <= max && ticks.length < 1000; v += step) ticks.push({ pos: v, value: v, major: true });
  return { ticks, step };
}

/**
 * Whether an axis is best shown as clock time: values between 2001 and 2100 as unix seconds,
 * and a field name that says time, or a field of a continuous type such as float (steps are ints,
 * timestamps usually not).
 */
export function looksLikeUnixSeconds(min: number, max: number, field: string, type: string | undefined): boolean {
  if (!(min >= 1e9 && max <= 4.1e9)) return false;
  return /time|date|_at$|^ts$|timestamp|wall/i.test(field) || isContinuous(type);
}
