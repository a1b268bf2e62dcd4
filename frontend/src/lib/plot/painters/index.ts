/** The painters by id: a plot kind's entry in the server's grammar names the one that draws it. */
import { KINDS, kindById } from '../../api/grammar';
import { area } from './area';
import { band } from './band';
import { contour } from './contour';
import { line } from './line';
import { mesh } from './mesh';
import type { Painter } from './painter';
import { quiver } from './quiver';
import { rects } from './rects';
import { scatter } from './scatter';
import { scatter3d } from './scatter3d';
import { stem } from './stem';
import { surface } from './surface';

export type { GpuLayer, PaintData, Painter } from './painter';

const PAINTERS: ReadonlyMap<string, Painter> = new Map([line, scatter, rects, stem, area, band, scatter3d, surface, contour, quiver, mesh].map((p) => [p.id, p]));

/** Painters that show rows as the page's own elements (painters/text.ts, table.ts, media.ts, parallel.ts), not GL. */
const ROWS_PAINTERS = new Set(['text', 'table', 'media', 'parallel']);
export type RowsPainter = 'text' | 'table' | 'media' | 'parallel';

/** The rows painter (`text`, `table`, `media` or `parallel`) of plot kind `kind`, or null for a GL-drawn kind. */
export function isRowsPainter(kind: string): RowsPainter | null {
  const p = kindById(kind)?.painter;
  return p !== undefined && ROWS_PAINTERS.has(p) ? (p as RowsPainter) : null;
}

export function painterById(id: string): Painter | undefined {
  return PAINTERS.get(id);
}

/** The painter of plot kind `kind`; throws, saying why, when it cannot be drawn. */
export function painterFor(kind: string): Painter {
  const k = kindById(kind);
  if (!k) throw new Error(`plot kind "${kind}" is not one this server draws (${KINDS.map((x) => x.id).join(', ') || 'it named none'})`);
  const p = PAINTERS.get(k.painter);
  if (!p) throw new Error(`plot kind "${kind}" needs the painter "${k.painter}", which this page does not have: reload it`);
  return p;
}
