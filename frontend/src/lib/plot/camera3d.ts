/**
 * The orbit camera of the 3-D kinds and its 4×4 matrices (column-major, as WebGL takes them).
 *
 * Data are first scaled into the cube [-1, 1]³ (each axis by its own range, `Bounds3`), so
 * the camera orbits a fixed box whatever the data's units: `yaw` turns around the vertical
 * (data z) axis, `pitch` tilts above or below the box, `distance` is the eye's distance
 * from its centre. The projection is a perspective of FOV_Y; the result is normalized
 * device coordinates in [-1, 1]², which the painters map into the plot's area exactly as a
 * 2-D view. The matrices are hand-written (a look-at and a perspective: forty lines)
 * rather than gl-matrix, whose 30 kB would serve two functions (docs/decisions/0019).
 */

export interface Camera {
  /** Radians around the vertical axis. */
  yaw: number;
  /** Radians above the horizontal plane, within ±MAX_PITCH. */
  pitch: number;
  /** The eye's distance from the box's centre (the box is 2 wide). */
  distance: number;
}

/** The view a plot opens with and returns to on double-click: a three-quarter view from above, far enough that the whole box (radius √3) fits the height. */
export const HOME: Camera = { yaw: -Math.PI / 4 - 0.35, pitch: 0.5, distance: 7.5 };
export const FOV_Y = (30 * Math.PI) / 180;
const MAX_PITCH = Math.PI / 2 - 0.01;
const MIN_DISTANCE = 2;
const MAX_DISTANCE = 40;
/** Radians of orbit per CSS pixel dragged: a drag across a 400-pixel plot turns it by about 230°. */
export const ORBIT_PER_PX = 0.01;

/** The camera after a drag of (dx, dy) CSS pixels: right turns the box right, down tilts it toward the eye. */
export function orbit(c: Camera, dx: number, dy: number): Camera {
  const pitch = Math.max(-MAX_PITCH, Math.min(MAX_PITCH, c.pitch + dy * ORBIT_PER_PX));
  return { yaw: c.yaw - dx * ORBIT_PER_PX, pitch, distance: c.distance };
}

/** The camera after a zoom by f (> 1: nearer), within the distances that keep the box in sight. */
export function zoom(c: Camera, f: number): Camera {
  return { ...c, distance: Math.max(MIN_DISTANCE, Math.min(MAX_DISTANCE, c.distance / f)) };
}

/** Where the eye is: on a sphere of `distance` around the origin, z up. */
export function eye(c: Camera): [number, number, number] {
  const r = c.distance * Math.cos(c.pitch);
  return [r * Math.cos(c.yaw), r * Math.sin(c.yaw), c.distance * Math.sin(c.pitch)];
}

/** The product a·b of two column-major 4×4 matrices. */
export function multiply(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(16);
  for (let col = 0; col < 4; col++) {
    for (let row = 0; row < 4; row++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += (a[k * 4 + row] as number) * (b[col * 4 + k] as number);
      out[col * 4 + row] = s;
    }
  }
  return out;
}

/** The view matrix of an eye at `from` looking at the origin, z up. */
export function lookAtOrigin(from: [number, number, number]): Float32Array {
  const [ex, ey, ez] = from;
  const len = Math.hypot(ex, ey, ez) || 1;
  // Forward f points from the eye to the origin; s = f × up, u = s × f.
  const f = [-ex / len, -ey / len, -ez / len] as const;
  let s: [number, number, number] = [f[1], -f[0], 0];
  const sl = Math.hypot(...s) || 1;
  s = [s[0] / sl, s[1] / sl, s[2] / sl];
  const u = [s[1] * f[2] - s[2] * f[1], s[2] * f[0] - s[0] * f[2], s[0] * f[1] - s[1] * f[0]] as const;
  const dot = (v: readonly number[]): number => (v[0] as number) * ex + (v[1] as number) * ey + (v[2] as number) * ez;
  // prettier-ignore
  return new Float32Array([
    s[0], u[0], -f[0], 0,
    s[1], u[1], -f[1], 0,
    s[2], u[2], -f[2], 0,
    -dot(s), -dot(u), dot(f), 1,
  ]);
}

/** A perspective projection of vertical field of view `fovY`, width/height `aspect`, depth [near, far]. */
export function perspective(fovY: number, aspect: number, near: number, far: number): Float32Array {
  const f = 1 / Math.tan(fovY / 2);
  const nf = 1 / (near - far);
  // prettier-ignore
  return new Float32Array([
    f / aspect, 0, 0, 0,
    0, f, 0, 0,
    0, 0, (far + near) * nf, -1,
    0, 0, 2 * far * near * nf, 0,
  ]);
}

/** The matrix taking a point of the [-1, 1]³ box to clip space, for an area of width/height `aspect`. */
export function viewProjection(c: Camera, aspect: number): Float32Array {
  const near = Math.max(0.05, c.distance - 2);
  return multiply(perspective(FOV_Y, aspect, near, c.distance + 2), lookAtOrigin(eye(c)));
}

/** A box point's normalized device coordinates [x, y] and its depth (clip w: larger is farther); w ≤ 0 is behind the eye. */
export function project(m: Float32Array, x: number, y: number, z: number): [number, number, number] {
  const cx = (m[0] as number) * x + (m[4] as number) * y + (m[8] as number) * z + (m[12] as number);
  const cy = (m[1] as number) * x + (m[5] as number) * y + (m[9] as number) * z + (m[13] as number);
  const cw = (m[3] as number) * x + (m[7] as number) * y + (m[11] as number) * z + (m[15] as number);
  return [cx / cw, cy / cw, cw];
}

/**
 * Per axis, the data range scaled onto [-1, 1]: linear, or (a log axis, the spec's
 * `scales`) the range of log10 of the values, where values ≤ 0 have no place and are not
 * drawn. `lo`, `hi` and `range` are in scale space (log10 on a log axis), as a 2-D View.
 */
export class Bounds3 {
  lo: [number, number, number] = [Infinity, Infinity, Infinity];
  hi: [number, number, number] = [-Infinity, -Infinity, -Infinity];

  constructor(readonly log: readonly [boolean, boolean, boolean] = [false, false, false]) {}

  /** A value in the axis's scale space: log10 on a log axis (NaN for v ≤ 0). */
  toScale(axis: 0 | 1 | 2, v: number): number {
    return this.log[axis] ? (v > 0 ? Math.log10(v) : NaN) : v;
  }

  extend(axis: 0 | 1 | 2, values: ArrayLike<number>): void {
    let lo = this.lo[axis];
    let hi = this.hi[axis];
    const log = this.log[axis];
    for (let i = 0; i < values.length; i++) {
      const v = log ? this.toScale(axis, values[i] as number) : (values[i] as number);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.lo[axis] = lo;
    this.hi[axis] = hi;
  }

  /** What the box depends on, for keys of what is computed from it. */
  key(): string {
    return `${this.lo}/${this.hi}/${this.log}`;
  }

  /** Scale and offset per axis: box = toScale(v) * scale + offset (an empty or flat axis sits at 0). */
  transform(): { scale: [number, number, number]; offset: [number, number, number] } {
    const scale: [number, number, number] = [0, 0, 0];
    const offset: [number, number, number] = [0, 0, 0];
    for (const a of [0, 1, 2] as const) {
      const lo = this.lo[a];
      const hi = this.hi[a];
      if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) {
        scale[a] = 2 / (hi - lo);
        offset[a] = -1 - lo * scale[a];
      }
    }
    return { scale, offset };
  }

  /** The data range of an axis, [lo, hi] ([0, 1] when empty, lo ± 0.5 when flat). */
  range(axis: 0 | 1 | 2): [number, number] {
    const lo = this.lo[axis];
    const hi = this.hi[axis];
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
    return hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
  }
}

/**
 * What the painters of one 3-D plot share: the camera, the data box and the data area's
 * width/height. The controller owns it and hands the same object to every dataset.
 */
export class Scene3 {
  camera: Camera = { ...HOME };
  bounds = new Bounds3();
  aspect = 1;
  /** Bumped when the camera, the bounds or the aspect change: the painters redraw. */
  rev = 0;

  matrix(): Float32Array {
    return viewProjection(this.camera, this.aspect);
  }
}
