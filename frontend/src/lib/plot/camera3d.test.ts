import { describe, expect, it } from 'vitest';
import { Bounds3, FOV_Y, HOME, orbit, project, viewProjection, zoom } from './camera3d';

const SIDE = 1 / Math.tan(FOV_Y / 2); // the perspective's focal length

describe('camera3d', () => {
  // Eye on the +x axis at distance 5, level: data y runs to the right, data z up.
  const level = { yaw: 0, pitch: 0, distance: 5 };

  it('projects the box centre to the middle and the axes where the eye sees them', () => {
    const m = viewProjection(level, 1);
    const [cx, cy, cw] = project(m, 0, 0, 0);
    expect(cx).toBeCloseTo(0, 6);
    expect(cy).toBeCloseTo(0, 6);
    expect(cw).toBeCloseTo(5, 5);
    const [rx, ry] = project(m, 0, 1, 0);
    expect(rx).toBeCloseTo(SIDE / 5, 5);
    expect(ry).toBeCloseTo(0, 6);
    const [ux, uy] = project(m, 0, 0, 1);
    expect(ux).toBeCloseTo(0, 6);
    expect(uy).toBeCloseTo(SIDE / 5, 5);
  });

  it('draws nearer points farther from the centre (perspective), and knows what is behind the eye', () => {
    const m = viewProjection(level, 1);
    const near = project(m, 1, 1, 0);
    const far = project(m, -1, 1, 0);
    expect(near[0]).toBeCloseTo(SIDE / 4, 5);
    expect(far[0]).toBeCloseTo(SIDE / 6, 5);
    expect(near[2]).toBeLessThan(far[2]);
    expect(project(m, 6, 0, 0)[2]).toBeLessThan(0);
  });

  it('divides x by the aspect so a wide area does not stretch the box', () => {
    const [rx] = project(viewProjection(level, 2), 0, 1, 0);
    expect(rx).toBeCloseTo(SIDE / 10, 5);
  });

  it('orbits: a quarter turn puts the eye on +y, and the +y corner comes to the middle', () => {
    const turned = orbit(level, -Math.PI / 2 / 0.01, 0);
    expect(turned.yaw).toBeCloseTo(Math.PI / 2, 9);
    const [x, y, w] = project(viewProjection(turned, 1), 0, 1, 0);
    expect(x).toBeCloseTo(0, 5);
    expect(y).toBeCloseTo(0, 5);
    expect(w).toBeCloseTo(4, 5);
    // Data x now runs to the left.
    expect(project(viewProjection(turned, 1), 1, 0, 0)[0]).toBeLessThan(0);
  });

  it('tilts from above: the top face is seen, pitch stays short of the pole', () => {
    const above = orbit(level, 0, 1e6);
    expect(above.pitch).toBeLessThan(Math.PI / 2);
    const m = viewProjection({ yaw: 0, pitch: 0.5, distance: 5 }, 1);
    // Seen from above, the near top edge is drawn below the far top edge.
    expect(project(m, 1, 0, 1)[1]).toBeLessThan(project(m, -1, 0, 1)[1]);
  });

  it('zooms within limits', () => {
    expect(zoom(HOME, 2).distance).toBeCloseTo(HOME.distance / 2, 9);
    expect(zoom(HOME, 1000).distance).toBe(2);
    expect(zoom(HOME, 1e-6).distance).toBe(40);
  });

  it('scales each data axis onto [-1, 1]', () => {
    const b = new Bounds3();
    b.extend(0, [10, 20, 30]);
    b.extend(1, [-1, 1]);
    b.extend(2, [5]);
    const { scale, offset } = b.transform();
    expect(10 * scale[0] + offset[0]).toBeCloseTo(-1, 9);
    expect(30 * scale[0] + offset[0]).toBeCloseTo(1, 9);
    expect(1 * scale[1] + offset[1]).toBeCloseTo(1, 9);
    expect(5 * scale[2] + offset[2]).toBe(0);
    expect(b.range(2)).toEqual([4.5, 5.5]);
  });
});
