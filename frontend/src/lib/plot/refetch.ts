/**
 * Asking the server again after the view changed: once the view has held still for
 * REFETCH_MS, every dataset whose painter `refinesOnZoom` reloads what the new view needs —
 * lines reduced per pixel column (M4) get finer data for the visible x range, a painter
 * that `refetchesView` (quiver) its whole data over the visible x and y range plus the
 * frame cache's margins, and everything reloads in full once the view follows the data again.
 */
import type { View } from '../render/layers';
import { expandView, MARGIN_X, MARGIN_Y } from '../render/frameCache';
import type { DatasetState } from './dataset';

/** How long the view must hold still before the server is asked again. */
export const REFETCH_MS = 250;

/**
 * What a dataset that `refetchesView` asks for: `v` plus the frame cache's margins (so a pan
 * shows data there before the next answer), in data units, and as many device pixels as
 * that is wide, so the server's screen cells keep their size.
 */
export function viewRange(v: View, areaW: number, dpr: number): NonNullable<DatasetState['viewRange']> {
  const e = expandView(v, MARGIN_X, MARGIN_Y);
  const at = (s: number, log: boolean): number => (log ? 10 ** s : s);
  const pixels = Math.round(areaW * dpr * (1 + 2 * MARGIN_X));
  return { x_min: at(e.x0, e.logX), x_max: at(e.x1, e.logX), y_min: at(e.y0, e.logY), y_max: at(e.y1, e.logY), pixels };
}

export interface RefetchHost {
  readonly datasets: DatasetState[];
  /** Whether the view follows the data (then everything is loaded in full). */
  readonly auto: boolean;
  readonly areaW: number;
  readonly dpr: number;
  viewOf(ds: DatasetState): View;
}

export class Refetcher {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly host: RefetchHost) {}

  /** The view changed: (re)start the wait, then ask again. */
  schedule(): void {
    if (!this.host.datasets.some((ds) => ds.painter.refinesOnZoom)) return;
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, REFETCH_MS);
  }

  private run(): void {
    const h = this.host;
    for (const ds of h.datasets) {
      if (ds.painter.refetchesView) {
        ds.viewRange = h.auto ? null : viewRange(h.viewOf(ds), h.areaW, h.dpr);
        void ds.load();
        continue;
      }
      if (ds.reduced !== 'm4' || !ds.loadedRange) continue;
      const v = h.viewOf(ds);
      if (h.auto) void ds.load();
      else void ds.loadRange(v.logX ? 10 ** v.x0 : v.x0, v.logX ? 10 ** v.x1 : v.x1);
    }
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
