/**
 * What a plot reads off its lines for the overlay, apart from drawing them: the marks at the
 * data area's top or bottom edge where values run past a followed y range, and the
 * crosshair's rows (every shown line's value at the pointer's x).
 */
import type { View } from '../render/layers';
import type { AxisPair } from './axisViews';
import type { DatasetState } from './dataset';
import { indexNearestX, sortRows, type CrossRow } from './hover';
import { smoothedLines } from './painters/line';
import { cssColor } from './palette';
import type { PlotStyles } from './styles';

export interface ClipMark {
  /** CSS pixels from the data area's left. */
  x: number;
  top: boolean;
  color: string;
}

/** At most this many marks: past it a plot is all marks anyway. */
const MAX_CLIP_MARKS = 2000;

/** The points outside the view's y range (each pixel column once per edge and color), lines on the main axes. */
export function findClipMarks(datasets: DatasetState[], v: View, areaW: number, styles: PlotStyles, axesOf: (ds: DatasetState) => AxisPair): ClipMark[] {
  const marks: ClipMark[] = [];
  const seen = new Set<string>();
  const lo = v.logX ? 10 ** v.x0 : v.x0;
  const hi = v.logX ? 10 ** v.x1 : v.x1;
  const yLo = v.logY ? 10 ** v.y0 : v.y0;
  const yHi = v.logY ? 10 ** v.y1 : v.y1;
  const kx = areaW / (v.x1 - v.x0);
  for (const ds of datasets) {
    if (!ds.lines || axesOf(ds).y !== 'y' || axesOf(ds).x !== 'x') continue;
    for (const line of ds.lines.lines.values()) {
      if (styles.hidden.has(styles.entryKey(ds, line))) continue;
      const color = cssColor(styles.baseLineColor(ds, line));
      const xs = line.x.values();
      const ys = line.y.values();
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i] as number;
        const y = ys[i] as number;
        if (x < lo || x > hi || (y <= yHi && y >= yLo)) continue;
        const px = Math.round(((v.logX ? Math.log10(x) : x) - v.x0) * kx);
        const k = `${px >> 2}/${y > yHi ? 1 : 0}/${color}`;
        if (seen.has(k)) continue;
        seen.add(k);
        marks.push({ x: px, top: y > yHi, color });
        if (marks.length > MAX_CLIP_MARKS) break;
      }
    }
  }
  return marks;
}

/** Each shown line's point nearest the pointer's x (`px` CSS pixels in; lines on the main x axis), sorted by value. */
export function findCrosshair(
  datasets: DatasetState[],
  v: View,
  areaW: number,
  px: number,
  styles: PlotStyles,
  runs: Set<string>,
  axesOf: (ds: DatasetState) => AxisPair,
): { px: number; x: number; rows: CrossRow[] } | null {
  const rows: CrossRow[] = [];
  const at = v.x0 + (px / areaW) * (v.x1 - v.x0);
  const x = v.logX ? 10 ** at : at;
  const many = datasets.length > 1;
  for (const ds of datasets) {
    if (!ds.lines || axesOf(ds).x !== 'x') continue;
    const s = smoothedLines(ds);
    for (const line of ds.lines.lines.values()) {
      const key = styles.entryKey(ds, line);
      if (styles.hidden.has(key)) continue;
      const i = indexNearestX(line, x);
      if (i < 0) continue;
      rows.push({
        key: `${ds.request.series}/${line.key}`,
        label: styles.lineLabel(ds, line, runs, many),
        color: cssColor(styles.baseLineColor(ds, line)),
        x: line.x.values()[i] as number,
        y: line.y.values()[i] as number,
        smoothed: s ? s.valueAt(line, i) : null,
      });
    }
  }
  return rows.length > 0 ? { px, x, rows: sortRows(rows) } : null;
}
