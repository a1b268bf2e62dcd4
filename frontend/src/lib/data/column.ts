/** A growable float64 column: live appends without reallocating per batch. */
export class Column {
  private buf: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Float64Array(Math.max(16, capacity));
  }

  static from(values: ArrayLike<number>): Column {
    const c = new Column(values.length);
    c.append(values);
    return c;
  }

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    const next = new Float64Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }

  append(values: ArrayLike<number>, start = 0, end = values.length): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(n);
    if (values instanceof Float64Array) this.buf.set(values.subarray(start, end), this.length);
    else for (let i = 0; i < n; i++) this.buf[this.length + i] = values[start + i] as number;
    this.length += n;
  }

  get(i: number): number {
    return this.buf[i] as number;
  }

  last(): number {
    return this.length > 0 ? (this.buf[this.length - 1] as number) : NaN;
  }

  /** A view of the filled part; invalidated by the next append. */
  values(): Float64Array {
    return this.buf.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}
