/**
 * Named palettes. Continuous ones are sampled from matplotlib's colormaps at nine evenly
 * spaced stops and interpolated linearly (indistinguishable from the 256-entry tables at plot
 * sizes, and 40 lines instead of 1500). Categorical ones cycle.
 */

export type RGBA = [number, number, number, number];

const CONTINUOUS: Record<string, string[]> = {
  viridis: ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'],
  plasma: ['#0d0887', '#4c02a1', '#7e03a8', '#a92395', '#cc4778', '#e56b5d', '#f89441', '#fdc328', '#f0f921'],
  magma: ['#000004', '#1c1044', '#4f127b', '#812581', '#b5367a', '#e55064', '#fb8761', '#fec287', '#fcfdbf'],
  inferno: ['#000004', '#1f0c48', '#550f6d', '#88226a', '#ba3655', '#e35933', '#f98e09', '#fac228', '#fcffa4'],
  cividis: ['#00224e', '#123570', '#3b496c', '#575d6d', '#707173', '#8a8779', '#a69d75', '#c4b56c', '#fee838'],
  turbo: ['#30123b', '#4662d7', '#36aaf9', '#1ae4b6', '#72fe5e', '#c8ef34', '#faba39', '#f66b19', '#7a0403'],
};

const CATEGORICAL: Record<string, string[]> = {
  tab10: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'],
  set2: ['#66c2a5', '#fc8d62', '#8da0cb', '#e78ac3', '#a6d854', '#ffd92f', '#e5c494', '#b3b3b3'],
  dark2: ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'],
};
CATEGORICAL['category10'] = CATEGORICAL['tab10'] as string[];

export const PALETTE_NAMES = [...Object.keys(CONTINUOUS), ...Object.keys(CATEGORICAL)];
export const DEFAULT_CONTINUOUS = 'viridis';
export const DEFAULT_CATEGORICAL = 'tab10';

function hex(c: string): RGBA {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
}

export function isCategorical(name: string | undefined): boolean {
  return name !== undefined && name.toLowerCase() in CATEGORICAL;
}

/** Color at t in [0, 1] of a continuous palette (a categorical name falls back to viridis). */
export function continuousColor(name: string | undefined, t: number): RGBA {
  const stops = CONTINUOUS[(name ?? '').toLowerCase()] ?? (CONTINUOUS[DEFAULT_CONTINUOUS] as string[]);
  const c = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const f = c * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const a = hex(stops[i] as string);
  const b = hex(stops[i + 1] as string);
  const w = f - i;
  return [0, 1, 2].map((k) => Math.round((a[k] as number) * (1 - w) + (b[k] as number) * w)).concat(255) as RGBA;
}

/**
 * Color of category `index` out of `count`: a categorical palette cycles; a continuous one is
 * spread evenly (so "viridis" over runs gives distinct, ordered colors).
 */
export function categoricalColor(name: string | undefined, index: number, count: number): RGBA {
  const key = (name ?? DEFAULT_CATEGORICAL).toLowerCase();
  const cat = CATEGORICAL[key] ?? (key in CONTINUOUS ? undefined : CATEGORICAL[DEFAULT_CATEGORICAL]);
  if (cat) return hex(cat[((index % cat.length) + cat.length) % cat.length] as string);
  return continuousColor(key, count <= 1 ? 0.5 : index / (count - 1));
}

export function cssColor(c: RGBA): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** CSS gradient stops for a legend color bar. */
export function cssGradient(name: string | undefined): string {
  const stops = Array.from({ length: 9 }, (_, i) => cssColor(continuousColor(name, i / 8)));
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/**
 * Run colors: tab10 without its gray (gray reads as "no data" beside the grid), then their
 * light companions. A run's preferred color comes from a hash of its handle, so it is the same
 * on every page and panel that shows it; a run whose preferred color another run on the page
 * already holds takes the next free strong one, then a light one (collision avoidance), so
 * the first eighteen runs of a page always get eighteen different colors.
 */
const STRONG = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf'];
const LIGHT = ['#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5'];
export const RUN_COLORS = [...STRONG, ...LIGHT];

function hashOf(s: string): number {
  let h = 2166136261; // FNV-1a: cheap, and spreads UUIDs evenly
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The run colors handed out on this page: handle -> slot, and slot -> handle. */
export class RunColors {
  private slots = new Map<string, number>();
  private holders = new Map<number, string>();

  slot(handle: string): number {
    let s = this.slots.get(handle);
    if (s !== undefined) return s;
    const base = hashOf(handle) % STRONG.length;
    // The strong colors from the preferred one on, then the light ones; all taken: the preferred.
    const order = [...STRONG.keys()].map((k) => (base + k) % STRONG.length).concat([...LIGHT.keys()].map((k) => STRONG.length + ((base + k) % LIGHT.length)));
    s = order.find((c) => !this.holders.has(c)) ?? base;
    this.slots.set(handle, s);
    if (!this.holders.has(s)) this.holders.set(s, handle);
    return s;
  }

  color(handle: string): RGBA {
    return hex(RUN_COLORS[this.slot(handle)] as string);
  }
}

/** The page's run colors (every plot, legend and table of a page shares them). */
export const runColors = new RunColors();

/** The color of run `handle` on this page. */
export function runColor(handle: string): RGBA {
  return runColors.color(handle);
}

/** A continuous field whose values span more than this many decades (all positive) is colored on a log scale. */
export const LOG_DECADES = 2;
/** A line plot whose continuous color field has at most this many values spreads them evenly over the palette. */
export const ORDINAL_MAX = 8;

/**
 * Where value v sits on a color scale over [lo, hi]: linear, or by log10 when `log`.
 * Values outside clamp; an empty span is the middle.
 */
export function scaleT(v: number, lo: number, hi: number, log: boolean): number {
  if (log) {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    return b > a && v > 0 ? (Math.log10(v) - a) / (b - a) : 0.5;
  }
  return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

/** Whether [lo, hi] is colored on a log scale: all positive and spanning more than LOG_DECADES decades. */
export function wantsLog(lo: number, hi: number): boolean {
  return lo > 0 && hi > lo && Math.log10(hi / lo) > LOG_DECADES;
}

/**
 * Maps values of a color field to colors. Numbers get a continuous scale over [min, max], on a
 * log scale when they span decades; anything else is a category, ordered by first appearance
 * so a live run keeps its color as others arrive.
 */
export class ColorScale {
  private categories = new Map<string, number>();
  /** The distinct numbers seen, up to ORDINAL_MAX + 1 (more only says "many"). */
  private distinct = new Set<number>();
  /** The values seen, continuous scales only. */
  min = Infinity;
  max = -Infinity;
  /** The domain the panels of a facet grid share, which then replaces [min, max]. */
  shared: [number, number] | null = null;

  constructor(
    readonly palette: string | undefined,
    readonly continuous: boolean,
  ) {}

  observe(value: number | string | null): void {
    if (this.continuous && typeof value === 'number') {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
      if (this.distinct.size <= ORDINAL_MAX && Number.isFinite(value)) this.distinct.add(value);
    } else {
      const key = String(value);
      if (!this.categories.has(key)) this.categories.set(key, this.categories.size);
    }
  }

  /** Forgets the numbers seen (the data were replaced). */
  resetRange(): void {
    this.min = Infinity;
    this.max = -Infinity;
    this.distinct.clear();
  }

  /** The [min, max] colors are spread over. */
  domain(): [number, number] {
    return this.shared ?? [this.min, this.max];
  }

  /** Whether the continuous scale is logarithmic (its values span more than LOG_DECADES decades). */
  get log(): boolean {
    const [lo, hi] = this.domain();
    return this.continuous && wantsLog(lo, hi);
  }

  /**
   * Few values (a sweep's learning rates) are spread evenly over the palette by rank, so
   * 0.001 and 0.003 among 0.001..0.027 are as far apart as any two neighbours; never in a
   * facet grid, whose panels must agree on one scale.
   */
  get ordinal(): boolean {
    return this.continuous && this.shared === null && this.distinct.size >= 2 && this.distinct.size <= ORDINAL_MAX;
  }

  color(value: number | string | null): RGBA {
    if (this.continuous && typeof value === 'number') {
      const [lo, hi] = this.domain();
      return continuousColor(this.palette, scaleT(value, lo, hi, this.log));
    }
    const key = String(value);
    const i = this.categories.get(key) ?? this.categories.size;
    return categoricalColor(this.palette, i, Math.max(this.categories.size, 1));
  }

  /** A line's color: as color(), but few numbers spread by rank (see ordinal). */
  lineColor(value: number | string | null): RGBA {
    if (typeof value === 'number' && this.ordinal) {
      const sorted = [...this.distinct].sort((a, b) => a - b);
      const rank = sorted.indexOf(value);
      if (rank >= 0) return continuousColor(this.palette, rank / (sorted.length - 1));
    }
    return this.color(value);
  }

  categoryList(): string[] {
    return [...this.categories.keys()];
  }
}
