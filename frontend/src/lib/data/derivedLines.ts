/**
 * Lines made from a LineSet's lines point by point — smoothed (smooth.ts), or stems
 * (painters/stem.ts) — in the same shape, so the GL line layer, the CPU rasterizer and the
 * hover draw and search them like any lines. A line is made again only when its source
 * changed (a new rev or more points); otherwise it keeps its Line object, so its GPU buffer
 * stays.
 */
import { Column } from './column';
import { LineSet, type Line } from './lineSet';

/** New x and y from a line's x and y. */
export type LineTransform = (x: Float64Array, y: Float64Array) => { x: ArrayLike<number>; y: ArrayLike<number> };

export class DerivedLines {
  readonly set: LineSet;
  private seen = new Map<string, { rev: number; length: number }>();

  constructor(private readonly raw: LineSet, private readonly transform: LineTransform) {
    this.set = new LineSet(raw.bindings);
  }

  update(): LineSet {
    for (const key of this.set.lines.keys()) {
      if (!this.raw.lines.has(key)) {
        this.set.lines.delete(key);
        this.seen.delete(key);
      }
    }
    for (const [key, line] of this.raw.lines) {
      const was = this.seen.get(key);
      if (was && was.rev === line.rev && was.length === line.x.length && this.set.lines.has(key)) continue;
      const made = this.transform(line.x.values(), line.y.values());
      const copy: Line = { ...line, x: Column.from(made.x), y: Column.from(made.y), rev: 0 };
      this.set.lines.set(key, copy);
      this.seen.set(key, { rev: line.rev, length: line.x.length });
      this.set.version++;
    }
    return this.set;
  }

  /** The made line's value at point `index` (for a transform that keeps the points), or null. */
  valueAt(line: Line, index: number): number | null {
    const s = this.set.lines.get(line.key);
    return s && index < s.y.length ? s.y.get(index) : null;
  }
}
