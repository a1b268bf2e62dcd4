/**
 * Keeping float64 data exact enough on a float32 GPU.
 *
 * A float32 has 24 bits of mantissa: at 1.7e9 (unix seconds) neighbouring representable
 * values are 128 apart, so two points one second apart land on the same pixel however far one
 * zooms in. The data stay float64 in JS; what is uploaded is (value - origin) split into a
 * float32 "hi" part and the float32 rest "lo". The vertex shader subtracts the view's start,
 * split the same way, hi from hi and lo from lo: when the view is close to the point the hi
 * parts are nearly equal, so their difference is exact (Sterbenz), and the sum keeps ~48 bits.
 */

const f32 = Math.fround;

export function splitHi(v: number): number {
  return f32(v);
}

export function splitLo(v: number): number {
  return f32(v - f32(v));
}

/**
 * Writes points as [x_hi, y_hi, x_lo, y_lo] float32 quadruples (the vertex layout of every
 * layer), relative to the buffer's origin. `from`/`to` index the source arrays; `at` is the
 * first destination point.
 */
export function packPoints(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  from: number,
  to: number,
  originX: number,
  originY: number,
  out: Float32Array,
  at = 0,
): void {
  for (let i = from, o = at * 4; i < to; i++, o += 4) {
    const vx = (x[i] as number) - originX;
    const vy = (y[i] as number) - originY;
    const hx = f32(vx);
    const hy = f32(vy);
    out[o] = hx;
    out[o + 1] = hy;
    out[o + 2] = vx - hx;
    out[o + 3] = vy - hy;
  }
}

/** A per-buffer origin: the middle of the finite values, so the uploaded offsets are small. */
export function chooseOrigin(values: ArrayLike<number>, count: number = values.length): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return 0;
  // Rounding to an integer keeps the origin itself exactly representable and readable.
  return Math.round((min + max) / 2);
}

/**
 * What the vertex shader computes for one coordinate, step by step in float32: the pixel
 * offset from the view's start. Kept here so tests check the same arithmetic as the GLSL.
 */
export function shaderOffsetPx(
  hi: number,
  lo: number,
  viewHi: number,
  viewLo: number,
  pxPerUnit: number,
): number {
  const d = f32(f32(hi - viewHi) + f32(lo - viewLo));
  return f32(d * f32(pxPerUnit));
}

/** The same as uploaded by a naive renderer: plain float32 values, no origin, no split. */
export function naiveOffsetPx(value: number, viewStart: number, pxPerUnit: number): number {
  return f32(f32(f32(value) - f32(viewStart)) * f32(pxPerUnit));
}
