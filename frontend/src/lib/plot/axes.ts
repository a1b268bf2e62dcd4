/**
 * Axes, grid and tick labels, painted with Canvas 2D on an overlay above the GL pixels: text
 * is what 2D canvas is good at, and painting in the same frame as the data keeps them in step
 * while panning. Labels go through fillText, never through HTML.
 */
import type { View } from '../render/layers';
import { formatTick, formatTime } from './format';
import { linearTicks, logTicks, timeTicks, type TickSet } from './ticks';

export interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const MARGINS: Margins = { left: 64, right: 14, top: 8, bottom: 38 };

export interface AxisOptions {
  xTitle: string;
  yTitle: string;
  xTime: boolean;
  yTime: boolean;
  /** A category axis (bars, boxes, heatmaps): a tick per category, labelled with its text. */
  xLabels?: Map<number, string>;
  yLabels?: Map<number, string>;
}

/** A tick at each category inside [min, max], thinned to about `count` when there are many. */
function categoryTicks(labels: Map<number, string>, min: number, max: number, count: number): TickSet {
  const inside = [...labels.keys()].filter((v) => v >= min && v <= max).sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(inside.length / Math.max(1, count)));
  return { ticks: inside.filter((_, i) => i % every === 0).map((v) => ({ pos: v, value: v, major: true })), step: 1, ownPrecision: true };
}

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const GRID = 'rgba(0, 0, 0, 0.08)';
const AXIS = 'rgba(0, 0, 0, 0.45)';
const TEXT = '#333';

export function ticksFor(min: number, max: number, log: boolean, time: boolean, lengthPx: number, spacingPx: number): TickSet {
  const count = Math.max(2, Math.floor(lengthPx / spacingPx));
  if (log) return logTicks(min, max, count);
  if (time) return timeTicks(min, max, count);
  return linearTicks(min, max, count);
}

/** The label of a tick of `set`; `maxAbs` is the largest magnitude the axis shows. */
export function axisLabel(value: number, set: TickSet, maxAbs: number, time: boolean): string {
  if (time) return formatTime(value, set.step);
  // A log axis's ticks each need only their own precision: 0.01, 1, 100, 10k.
  return set.ownPrecision ? formatTick(value, value, value) : formatTick(value, set.step, maxAbs);
}

/**
 * Paints the whole overlay: `w`, `h` are the plot's CSS size, the data area is inside the
 * margins. The canvas is scaled by the device pixel ratio by the caller.
 */
export function paintAxes(ctx: CanvasRenderingContext2D, w: number, h: number, view: View, opts: AxisOptions, m: Margins = MARGINS): void {
  const aw = w - m.left - m.right;
  const ah = h - m.top - m.bottom;
  ctx.clearRect(0, 0, w, h);
  if (aw <= 0 || ah <= 0) return;
  ctx.font = FONT;
  ctx.lineWidth = 1;
  const toX = (p: number): number => m.left + ((p - view.x0) / (view.x1 - view.x0)) * aw;
  const toY = (p: number): number => m.top + ah - ((p - view.y0) / (view.y1 - view.y0)) * ah;

  const xCats = !view.logX && opts.xLabels?.size ? opts.xLabels : null;
  const yCats = !view.logY && opts.yLabels?.size ? opts.yLabels : null;
  const xt = xCats ? categoryTicks(xCats, view.x0, view.x1, aw / 40) : ticksFor(view.x0, view.x1, view.logX, opts.xTime, aw, opts.xTime ? 110 : 80);
  const yt = yCats ? categoryTicks(yCats, view.y0, view.y1, ah / 18) : ticksFor(view.y0, view.y1, view.logY, opts.yTime, ah, 36);
  const xMax = Math.max(Math.abs(view.logX ? 10 ** view.x0 : view.x0), Math.abs(view.logX ? 10 ** view.x1 : view.x1));
  const yMax = Math.max(Math.abs(view.logY ? 10 ** view.y0 : view.y0), Math.abs(view.logY ? 10 ** view.y1 : view.y1));

  // Grid: half-pixel offsets put 1px lines on pixel centers.
  ctx.strokeStyle = GRID;
  ctx.beginPath();
  for (const t of xt.ticks) {
    const x = Math.round(toX(t.pos)) + 0.5;
    ctx.moveTo(x, m.top);
    ctx.lineTo(x, m.top + ah);
  }
  for (const t of yt.ticks) {
    const y = Math.round(toY(t.pos)) + 0.5;
    ctx.moveTo(m.left, y);
    ctx.lineTo(m.left + aw, y);
  }
  ctx.stroke();

  // Frame and tick marks.
  ctx.strokeStyle = AXIS;
  ctx.strokeRect(m.left + 0.5, m.top + 0.5, aw - 1, ah - 1);
  ctx.beginPath();
  for (const t of xt.ticks) {
    const x = Math.round(toX(t.pos)) + 0.5;
    ctx.moveTo(x, m.top + ah);
    ctx.lineTo(x, m.top + ah + (t.major ? 5 : 3));
  }
  for (const t of yt.ticks) {
    const y = Math.round(toY(t.pos)) + 0.5;
    ctx.moveTo(m.left, y);
    ctx.lineTo(m.left - (t.major ? 5 : 3), y);
  }
  ctx.stroke();

  ctx.fillStyle = TEXT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  let lastRight = -Infinity;
  for (const t of xt.ticks) {
    if (!t.major) continue;
    const text = xCats?.get(t.value) ?? axisLabel(t.value, xt, xMax, opts.xTime);
    const x = toX(t.pos);
    const half = ctx.measureText(text).width / 2;
    if (x - half < lastRight + 6) continue; // never overlap labels
    ctx.fillText(text, x, m.top + ah + 7);
    lastRight = x + half;
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yt.ticks) {
    if (!t.major) continue;
    ctx.fillText(yCats?.get(t.value) ?? axisLabel(t.value, yt, yMax, opts.yTime), m.left - 7, toY(t.pos));
  }

  ctx.font = `600 ${FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(opts.xTitle, m.left + aw / 2, h - 2);
  ctx.save();
  ctx.translate(12, m.top + ah / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(opts.yTitle, 0, 0);
  ctx.restore();
}

/** Marks the hovered point. */
export function paintMarker(ctx: CanvasRenderingContext2D, x: number, y: number, color: string): void {
  ctx.beginPath();
  ctx.arc(x, y, 5, 0, 2 * Math.PI);
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
  ctx.fillStyle = color;
  ctx.fill();
}

/** The dashed rectangle of a box zoom in progress. */
export function paintBox(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.save();
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = '#333';
  ctx.fillStyle = 'rgba(80, 120, 200, 0.12)';
  ctx.fillRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
  ctx.strokeRect(Math.min(x0, x1) + 0.5, Math.min(y0, y1) + 0.5, Math.abs(x1 - x0), Math.abs(y1 - y0));
  ctx.restore();
}

/** The hover's vertical crosshair: a dashed line through the data area at x. */
export function paintCrosshair(ctx: CanvasRenderingContext2D, x: number, top: number, bottom: number): void {
  ctx.save();
  ctx.strokeStyle = 'rgba(60, 60, 60, 0.55)';
  ctx.lineWidth = 1;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, top);
  ctx.lineTo(Math.round(x) + 0.5, bottom);
  ctx.stroke();
  ctx.restore();
}

/** Small triangles at the data area's top (or bottom) edge where values run past it (a robust y range). */
export function paintClipMarks(ctx: CanvasRenderingContext2D, marks: { x: number; top: boolean; color: string }[], left: number, top: number, bottom: number): void {
  ctx.save();
  for (const m of marks) {
    const x = left + m.x;
    const y = m.top ? top : bottom;
    const d = m.top ? 1 : -1; // the point toward the edge the values passed
    ctx.fillStyle = m.color;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x - 4, y + 6 * d);
    ctx.lineTo(x + 4, y + 6 * d);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}
