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
 * Maps values of a color field to colors. Numbers get a continuous scale over [min, max]
 * (log-free: color is for telling values apart); anything else is a category, ordered by
 * first appearance so a live run keeps its color as others arrive.
 */
export class ColorScale {
  private categories = new Map<string, number>();
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
    } else {
      const key = String(value);
      if (!this.categories.has(key)) this.categories.set(key, this.categories.size);
    }
  }

  /** The [min, max] colors are spread over. */
  domain(): [number, number] {
    return this.shared ?? [this.min, this.max];
  }

  color(value: number | string | null): RGBA {
    if (this.continuous && typeof value === 'number') {
      const [lo, hi] = this.domain();
      const span = hi - lo;
      return continuousColor(this.palette, span > 0 ? (value - lo) / span : 0.5);
    }
    const key = String(value);
    const i = this.categories.get(key) ?? this.categories.size;
    return categoricalColor(this.palette, i, Math.max(this.categories.size, 1));
  }

  categoryList(): string[] {
    return [...this.categories.keys()];
  }
}
