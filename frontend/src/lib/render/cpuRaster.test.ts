import { describe, expect, it } from 'vitest';
import { clip, CpuImage, drawLine, drawPoints, drawSegment, pack, PixelMap } from './cpuRaster';
import { expandView, panWithin } from './frameCache';
import type { View } from './layers';

const view = (x0: number, x1: number, y0 = 0, y1 = 1): View => ({ x0, x1, y0, y1, logX: false, logY: false });

function lit(img: CpuImage): number {
  return img.pixels.reduce((n, p) => n + (p !== 0 ? 1 : 0), 0);
}

describe('CPU rasterizer', () => {
  it('draws a clipped Bresenham segment', () => {
    const img = new CpuImage(10, 10);
    drawSegment(img, -5, 5, 20, 5, pack([255, 0, 0, 255]));
    expect(lit(img)).toBe(10);
    expect(img.bytes[(5 * 10) * 4]).toBe(255); // red, row 5
    const far = new CpuImage(10, 10);
    drawSegment(far, -1e12, 3, 1e12, 3, 1);
    expect(lit(far)).toBe(10);
    expect(clip(0, 0, 1, 1, 5, 5, 6, 6).every(Number.isNaN)).toBe(true);
  });

  it('draws a segment within one pixel column as the stepping loop would, clipped', () => {
    // The loop without the column shortcut: what drawSegment drew before it.
    const stepped = (img: CpuImage, x0: number, y0: number, x1: number, y1: number): void => {
      let [ax, ay] = [Math.floor(x0), Math.floor(y0)];
      const [bx, by] = [Math.floor(x1), Math.floor(y1)];
      const dx = Math.abs(bx - ax);
      const dy = -Math.abs(by - ay);
      let err = dx + dy;
      for (;;) {
        if (ax >= 0 && ay >= 0 && ax < img.w && ay < img.h) img.pixels[ay * img.w + ax] = 1;
        if (ax === bx && ay === by) return;
        const e2 = 2 * err;
        if (e2 >= dy) [err, ax] = [err + dy, ax + (ax < bx ? 1 : -1)];
        if (e2 <= dx) [err, ay] = [err + dx, ay + (ay < by ? 1 : -1)];
      }
    };
    const cases = [[3.2, 1.5, 3.9, 8.7], [3.9, 8.7, 3.2, 1.5], [4, -3, 4.5, 30], [0, 5, 0.99, 5.5], [9.5, 2, 9.1, 2], [-0.5, 1, -0.2, 6], [10, 1, 10.4, 6]];
    for (const [x0, y0, x1, y1] of cases) {
      const [fast, slow] = [new CpuImage(10, 10), new CpuImage(10, 10)];
      drawSegment(fast, x0 as number, y0 as number, x1 as number, y1 as number, 1);
      stepped(slow, x0 as number, y0 as number, x1 as number, y1 as number);
      expect([...fast.pixels]).toEqual([...slow.pixels]);
    }
  });

  it('draws disks of the asked diameter', () => {
    const img = new CpuImage(20, 20);
    drawPoints(img, new PixelMap(view(0, 20, 0, 20), 20, 20), Float64Array.of(10), Float64Array.of(10), () => 1, () => 5);
    expect(lit(img)).toBeGreaterThanOrEqual(13);
    expect(lit(img)).toBeLessThanOrEqual(25);
  });

  it('keeps points one apart at 1.7e9 apart (float64 all the way)', () => {
    const img = new CpuImage(100, 1);
    const map = new PixelMap(view(1.7e9 - 5, 1.7e9 + 5, -1, 1), 100, 1);
    drawPoints(img, map, Float64Array.of(1.7e9, 1.7e9 + 1), Float64Array.of(0, 0), () => 1, () => 1);
    expect([...img.pixels].map((p, i) => (p ? i : -1)).filter((i) => i >= 0)).toEqual([50, 60]);
  });

  it('skips NaN and log of non-positive values', () => {
    const img = new CpuImage(10, 10);
    const map = new PixelMap({ ...view(0, 1, 0, 1), logY: true }, 10, 10);
    drawLine(img, map, Float64Array.of(0.1, 0.5, 0.9), Float64Array.of(-1, NaN, 0), 0, 3, 1);
    expect(lit(img)).toBe(0);
  });
});

describe('frame cache geometry', () => {
  it('shows pure pans within the margin, redraws otherwise', () => {
    const v = view(0, 10);
    const outer = expandView(v, 0.5, 0.25);
    expect(outer.x0).toBe(-5);
    expect(panWithin(view(3, 13), outer, v)).toBe(true);
    expect(panWithin(view(6, 16), outer, v)).toBe(false); // past the margin
    expect(panWithin(view(0, 9), outer, v)).toBe(false); // zoomed
  });
});
