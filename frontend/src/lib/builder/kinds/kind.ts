/**
 * A plot kind: the roles it offers in the builder, the ones it cannot draw without, and how
 * its data are fetched and drawn. Adding bar, histogram or heatmap is one module like
 * line.ts registered in kinds/index.ts (plus, where it draws something new, a painter),
 * and one entry in the server's plot_specs.KIND_REQUIRED.
 */
import type { Role } from '../../api/types';

export interface PlotKind {
  id: string;
  label: string;
  /** Roles shown in the builder, in order. */
  roles: readonly Role[];
  required: readonly Role[];
  /** How the server reduces it (/api/data `kind`) and what the renderer draws. */
  data: 'line' | 'scatter';
  hint: string;
}
