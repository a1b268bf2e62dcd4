/**
 * The axes of a 3-D plot, painted on the overlay: the twelve edges of the data box, and on
 * one edge per axis its ticks, labels and title. The x and y scales go on the bottom edges
 * nearest the eye (so they are never hidden behind the data), z on the vertical edge
 * farthest left on screen.
 */
import type { View } from '../render/layers';
import { axisLabel } from './axes';
import { project, type Scene3 } from './camera3d';
import { linearTicks, logTicks } from './ticks';

type P3 = [number, number, number];

const CORNERS: P3[] = [];
for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) CORNERS.push([x, y, z]);

/** The box's edges as corner pairs (corners differing in one coordinate). */
const EDGES: [number, number][] = [];
for (let a = 0; a < 8; a++) {
  for (let b = a + 1; b < 8; b++) {
    const ca = CORNERS[a] as P3;
    const cb = CORNERS[b] as P3;
    if (ca.filter((v, i) => v !== cb[i]).length === 1) EDGES.push([a, b]);
  }
}

export interface Area {
  left: number;
  top: number;
  w: number;
  h: number;
}

/** Screen position (CSS pixels of the whole plot) of a box point, and its depth. */
export function toScreen(m: Float32Array, view: View, area: Area, p: P3): [number, number, number] {
  const [nx, ny, w] = project(m, p[0], p[1], p[2]);
  return [area.left + ((nx - view.x0) / (view.x1 - view.x0)) * area.w, area.top + area.h - ((ny - view.y0) / (view.y1 - view.y0)) * area.h, w];
}

/** The edge of axis `axis` (0 x, 1 y, 2 z) that carries its scale: its two ends. */
export function scaleEdge(m: Float32Array, view: View, area: Area, axis: 0 | 1 | 2): [P3, P3] {
  const candidates: [P3, P3][] = [];
  for (const u of [-1, 1]) {
    for (const v of [-1, 1]) {
      const a: P3 = [0, 0, 0];
      const others = ([0, 1, 2] as const).filter((i) => i !== axis);
      a[others[0] as number] = u;
      a[others[1] as number] = v;
      const b: P3 = [...a];
      a[axis] = -1;
      b[axis] = 1;
      // x and y on the floor of the box; z on any vertical edge.
      if (axis !== 2 && a[2] !== -1) continue;
      candidates.push([a, b]);
    }
  }
  const mid = (e: [P3, P3]): [number, number, number] => toScreen(m, view, area, [(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2, (e[0][2] + e[1][2]) / 2]);
  // Nearest the eye for x and y; leftmost on screen for z.
  candidates.sort((e, f) => (axis === 2 ? mid(e)[0] - mid(f)[0] : mid(e)[2] - mid(f)[2]));
  return candidates[0] as [P3, P3];
}

export function paintAxes3d(ctx: CanvasRenderingContext2D, scene: Scene3, view: View, area: Area, titles: [string, string, string]): void {
  const m = scene.matrix();
  ctx.save();
  ctx.strokeStyle = 'rgba(128,128,128,0.55)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const [a, b] of EDGES) {
    const p = toScreen(m, view, area, CORNERS[a] as P3);
    const q = toScreen(m, view, area, CORNERS[b] as P3);
    if (p[2] <= 0 || q[2] <= 0) continue;
    ctx.moveTo(p[0], p[1]);
    ctx.lineTo(q[0], q[1]);
  }
  ctx.stroke();
  ctx.fillStyle = '#333'; // as the 2-D axes' text
  ctx.font = '11px system-ui, sans-serif';
  const center = toScreen(m, view, area, [0, 0, 0]);
  for (const axis of [0, 1, 2] as const) {
    const [a, b] = scaleEdge(m, view, area, axis);
    // In scale space (log10 on a log axis): ticks are placed by their pos, labelled by value.
    const [lo, hi] = scene.bounds.range(axis);
    const log = scene.bounds.log[axis];
    const set = log ? logTicks(lo, hi, 4) : linearTicks(lo, hi, 4);
    const maxAbs = log ? 10 ** Math.max(Math.abs(lo), Math.abs(hi)) : Math.max(Math.abs(lo), Math.abs(hi));
    for (const t of set.ticks) {
      if (!t.major || t.pos < lo || t.pos > hi) continue;
      const f = (t.pos - lo) / (hi - lo);
      // x and y meet at a floor corner: their end labels would overprint each other there.
      if (axis !== 2 && (f < 0.02 || f > 0.98)) continue;
      const p: P3 = [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
      const s = toScreen(m, view, area, p);
      if (s[2] <= 0) continue;
      // Labels sit outside the box: pushed away from its centre on screen.
      const dx = s[0] - center[0];
      const dy = s[1] - center[1];
      const len = Math.hypot(dx, dy) || 1;
      ctx.beginPath();
      ctx.moveTo(s[0], s[1]);
      ctx.lineTo(s[0] + (dx / len) * 4, s[1] + (dy / len) * 4);
      ctx.stroke();
      ctx.textAlign = dx < 0 ? 'right' : 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(axisLabel(t.value, set, maxAbs, false), s[0] + (dx / len) * 8, s[1] + (dy / len) * 8);
    }
    const endA = toScreen(m, view, area, a);
    const endB = toScreen(m, view, area, b);
    const mx = (endA[0] + endB[0]) / 2;
    const my = (endA[1] + endB[1]) / 2;
    const dx = mx - center[0];
    const dy = my - center[1];
    const len = Math.hypot(dx, dy) || 1;
    ctx.textAlign = 'center';
    ctx.font = 'bold 11px system-ui, sans-serif';
    ctx.fillText(titles[axis], mx + (dx / len) * 30, my + (dy / len) * 30);
    ctx.font = '11px system-ui, sans-serif';
  }
  ctx.restore();
}
