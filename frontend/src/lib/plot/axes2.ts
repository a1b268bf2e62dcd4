/** The second axes of a hybrid plot: x2 along the top, y2 along the right (see axes.ts). */
import type { View } from '../render/layers';
import type { Margins } from './axes';
import { axisLabel, ticksFor } from './axes';

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS = 'rgba(0, 0, 0, 0.45)';
/** Second axes are drawn in the second dataset's tint so a reader can tell which is which. */
export const SECOND_AXIS_COLOR = '#9c4f00';

export function paintSecondAxes(
  ctx: CanvasRenderingContext2D, w: number, h: number, m: Margins, v: View,
  show: { x2: string | null; y2: string | null },
): void {
  const aw = w - m.left - m.right;
  const ah = h - m.top - m.bottom;
  if (aw <= 0 || ah <= 0) return;
  ctx.font = FONT;
  ctx.lineWidth = 1;
  ctx.strokeStyle = AXIS;
  ctx.fillStyle = SECOND_AXIS_COLOR;
  if (show.y2 !== null) {
    const t = ticksFor(v.y0, v.y1, v.logY, false, ah, 36);
    const maxAbs = Math.max(Math.abs(v.logY ? 10 ** v.y0 : v.y0), Math.abs(v.logY ? 10 ** v.y1 : v.y1));
    const x = m.left + aw;
    ctx.beginPath();
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    for (const tk of t.ticks) {
      const y = Math.round(m.top + ah - ((tk.pos - v.y0) / (v.y1 - v.y0)) * ah) + 0.5;
      ctx.moveTo(x, y);
      ctx.lineTo(x + (tk.major ? 5 : 3), y);
      if (tk.major) ctx.fillText(axisLabel(tk.value, t, maxAbs, false), x + 7, y);
    }
    ctx.stroke();
    ctx.save();
    ctx.font = `600 ${FONT}`;
    ctx.translate(w - 8, m.top + ah / 2);
    ctx.rotate(Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(show.y2 + (v.logY ? ' (log)' : ''), 0, 0);
    ctx.restore();
  }
  if (show.x2 !== null) {
    const t = ticksFor(v.x0, v.x1, v.logX, false, aw, 80);
    const maxAbs = Math.max(Math.abs(v.logX ? 10 ** v.x0 : v.x0), Math.abs(v.logX ? 10 ** v.x1 : v.x1));
    const y = m.top;
    ctx.beginPath();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    let lastRight = -Infinity;
    for (const tk of t.ticks) {
      const x = Math.round(m.left + ((tk.pos - v.x0) / (v.x1 - v.x0)) * aw) + 0.5;
      ctx.moveTo(x, y);
      ctx.lineTo(x, y - (tk.major ? 5 : 3));
      if (!tk.major) continue;
      const text = axisLabel(tk.value, t, maxAbs, false);
      const half = ctx.measureText(text).width / 2;
      if (x - half < lastRight + 6) continue;
      ctx.fillText(text, x, y - 6);
      lastRight = x + half;
    }
    ctx.stroke();
    ctx.font = `600 ${FONT}`;
    ctx.textBaseline = 'top';
    ctx.fillText(show.x2 + (v.logX ? ' (log)' : ''), m.left + aw / 2, 1);
  }
}
