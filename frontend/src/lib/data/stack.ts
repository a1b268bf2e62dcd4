/**
 * Stacked areas: each line of a set drawn on top of the ones before it (in the order the
 * lines came, which is the legend's). Lines need not share x: a line's base at each of its
 * points is the sum of the earlier lines interpolated there (0 outside an earlier line's
 * range), so runs logged at different steps still stack.
 */
import { Column } from './column';
import { LineSet, type Line } from './lineSet';

/** ys of the sorted line (xs, ys) linearly interpolated at the sorted points `at`; 0 outside it. */
export function interpolate(xs: Float64Array, ys: Float64Array, at: Float64Array): Float64Array {
  const out = new Float64Array(at.length);
  const n = xs.length;
  let j = 0;
  for (let i = 0; i < at.length; i++) {
    const x = at[i] as number;
    if (n === 0 || x < (xs[0] as number) || x > (xs[n - 1] as number)) continue;
    while (j + 1 < n && (xs[j + 1] as number) < x) j++;
    const x0 = xs[j] as number;
    const x1 = xs[Math.min(j + 1, n - 1)] as number;
    const y0 = ys[j] as number;
    const y1 = ys[Math.min(j + 1, n - 1)] as number;
    out[i] = x1 > x0 ? y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) : x === x0 ? y0 : y1;
  }
  return out;
}

export class StackedLines {
  /** Each line's top: base + its value, at its own x. */
  readonly tops: LineSet;
  /** Each line's area as a strip of pairs (x, base), (x, top). */
  readonly fills: LineSet;
  private version = -1;

  constructor(private readonly raw: LineSet) {
    this.tops = new LineSet(raw.bindings);
    this.fills = new LineSet(raw.bindings);
  }

  update(): this {
    if (this.raw.version === this.version) return this;
    this.version = this.raw.version;
    this.tops.lines.clear();
    this.fills.lines.clear();
    const below: { x: Float64Array; y: Float64Array }[] = [];
    for (const [key, line] of this.raw.lines) {
      const x = line.x.values();
      const base = new Float64Array(x.length);
      for (const b of below) {
        const add = interpolate(b.x, b.y, x);
        for (let i = 0; i < base.length; i++) base[i] = (base[i] as number) + (add[i] as number);
      }
      const y = line.y.values();
      const top = base.map((v, i) => v + (y[i] as number));
      below.push({ x, y });
      const strip = { x: new Float64Array(2 * x.length), y: new Float64Array(2 * x.length) };
      for (let i = 0; i < x.length; i++) {
        strip.x[2 * i] = strip.x[2 * i + 1] = x[i] as number;
        strip.y[2 * i] = base[i] as number;
        strip.y[2 * i + 1] = top[i] as number;
      }
      const copy = (cx: Float64Array, cy: Float64Array): Line => ({ ...line, x: Column.from(cx), y: Column.from(cy), rev: this.version });
      this.tops.lines.set(key, copy(x, top));
      this.fills.lines.set(key, copy(strip.x, strip.y));
    }
    this.tops.version++;
    this.fills.version++;
    return this;
  }
}
