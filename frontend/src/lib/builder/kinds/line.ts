import type { PlotKind } from './kind';

export const line: PlotKind = {
  id: 'line',
  label: 'Line',
  roles: ['x', 'y', 'color', 'group', 'order', 'facet', 'frame'],
  required: ['x', 'y'],
  data: 'line',
  hint: 'one line per run (and per group value), reduced per pixel column when long',
};
