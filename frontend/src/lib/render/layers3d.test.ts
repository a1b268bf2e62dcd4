import { describe, expect, it } from 'vitest';
import { Bounds3, Scene3 } from '../plot/camera3d';
import { boxCoordinates, farToNear } from './layers3d';

describe('farToNear', () => {
  it('orders points far to near and leaves out those behind the eye', () => {
    const w = Float64Array.from([5, 2, -1, 9, 3, 0, 2.0000001]);
    const order = [...farToNear(w)];
    expect(order).toEqual([3, 0, 4, 1, 6]);
  });

  it('keeps row order among equal depths and handles none in front', () => {
    expect([...farToNear(Float64Array.from([4, 4, 4]))]).toEqual([0, 1, 2]);
    expect(farToNear(Float64Array.from([-1, 0, NaN])).length).toBe(0);
  });

  it('sorts a large random cloud by depth to within a bucket', () => {
    const n = 100_000;
    const w = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % n) / n);
    const order = farToNear(w);
    expect(order.length).toBe(n);
    let worst = -Infinity; // how much nearer-drawn points were farther than the one before
    for (let k = 1; k < n; k++) worst = Math.max(worst, (w[order[k] as number] as number) - (w[order[k - 1] as number] as number));
    expect(worst).toBeLessThanOrEqual(1 / 4095);
    expect(new Set(order).size).toBe(n);
  });
});

describe('log axes of the 3-D box', () => {
  it('spans log10 of the values and puts values at or below 0 nowhere', () => {
    const b = new Bounds3([true, false, true]);
    b.extend(0, [0.01, 100, -5, 0]);
    b.extend(1, [-2, 2]);
    b.extend(2, [1, 1000]);
    expect(b.range(0)).toEqual([-2, 2]);
    expect(b.range(1)).toEqual([-2, 2]);
    expect(b.range(2)).toEqual([0, 3]);
    const scene = new Scene3();
    scene.bounds = b;
    const box = boxCoordinates(scene, Float64Array.from([0.01, 1, 100, -1]), Float64Array.from([-2, 0, 2, 0]), Float64Array.from([1, 10 ** 1.5, 1000, 1]));
    expect([...box.slice(0, 9)].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-1, -1, -1, 0, 0, 0, 1, 1, 1]);
    expect(Number.isNaN(box[9])).toBe(true);
  });
});
