/**
 * The arrows of a quiver plot's dataset: the server's `arrows` reduction (web/reduce_quiver.py)
 * sends per run and screen cell the mean x, y, u and v (and a numeric color field's mean);
 * live rows come thinned the same way and are added to those held.
 */
import { isCodes, type DataBatch } from '../api/arrowData';

export interface QuiverBindings {
  x: string;
  y: string;
  u: string;
  v: string;
  color: string | null;
}

const EMPTY: Float64Array = new Float64Array(0);

function cat(a: Float64Array, b: Float64Array): Float64Array {
  if (!a.length) return b;
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export class QuiverSet {
  x: Float64Array = EMPTY;
  y: Float64Array = EMPTY;
  u: Float64Array = EMPTY;
  v: Float64Array = EMPTY;
  /** Per arrow, the color field's value (NaN without one). */
  color: Float64Array = EMPTY;
  /** Per arrow, a discrete color field's value (null with a numeric one or none). */
  label: (string | null)[] = [];
  runOf: string[] = [];
  /** Bumped on each change. */
  rev = 0;

  constructor(readonly bindings: QuiverBindings) {}

  get length(): number {
    return this.x.length;
  }

  replace(batch: DataBatch): void {
    this.x = this.y = this.u = this.v = this.color = EMPTY;
    this.runOf = [];
    this.label = [];
    this.append(batch);
  }

  append(batch: DataBatch): void {
    const b = this.bindings;
    const cols = [b.x, b.y, b.u, b.v].map((c) => batch.columns.get(c));
    if (!cols.every((c) => c instanceof Float64Array)) {
      this.rev++;
      return;
    }
    const [x, y, u, v] = cols as Float64Array[];
    const c = b.color ? batch.columns.get(b.color) : undefined;
    const runs = batch.columns.get('run');
    this.x = cat(this.x, x as Float64Array);
    this.y = cat(this.y, y as Float64Array);
    this.u = cat(this.u, u as Float64Array);
    this.v = cat(this.v, v as Float64Array);
    this.color = cat(this.color, c instanceof Float64Array ? c : new Float64Array(batch.length).fill(NaN));
    for (let k = 0; k < batch.length; k++) {
      this.runOf.push(isCodes(runs) ? (runs.values[runs.codes[k] as number] ?? '') : '');
      this.label.push(isCodes(c) ? (c.values[c.codes[k] as number] ?? null) : null);
    }
    this.rev++;
  }

  dropRun(name: string): boolean {
    if (!this.runOf.includes(name)) return false;
    const kept = this.runOf.flatMap((r, k) => (r === name ? [] : [k]));
    const pick = (a: Float64Array): Float64Array => Float64Array.from(kept, (k) => a[k] as number);
    [this.x, this.y, this.u, this.v, this.color] = [this.x, this.y, this.u, this.v, this.color].map(pick) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    this.runOf = kept.map((k) => this.runOf[k] as string);
    this.label = kept.map((k) => this.label[k] ?? null);
    this.rev++;
    return true;
  }

  runs(): string[] {
    return [...new Set(this.runOf)];
  }
}

/** The longest arrow's length: arrows are drawn in proportion to it. */
export function longest(set: QuiverSet): number {
  let m = 0;
  for (let i = 0; i < set.length; i++) m = Math.max(m, Math.hypot(set.u[i] as number, set.v[i] as number));
  return m;
}

/**
 * An arrow in pixels (y up) from its tail (px, py) along (u, v), the longest `size` pixels
 * long: the shaft's tip and the two ends of its head, as [tipX, tipY, h1X, h1Y, h2X, h2Y].
 */
export function arrowPixels(px: number, py: number, u: number, v: number, max: number, size: number): number[] | null {
  const mag = Math.hypot(u, v);
  if (!(mag > 0) || !(max > 0)) return null;
  const len = (mag / max) * size;
  const dx = (u / mag) * len;
  const dy = (v / mag) * len;
  const head = Math.min(len, Math.max(3, len * 0.35)); // visible, never longer than the shaft
  const ang = Math.atan2(dy, dx);
  const tx = px + dx;
  const ty = py + dy;
  const out = [tx, ty];
  for (const s of [-1, 1]) out.push(tx - head * Math.cos(ang + s * 0.45), ty - head * Math.sin(ang + s * 0.45));
  return out;
}
