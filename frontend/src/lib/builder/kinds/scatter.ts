import type { PlotKind } from './kind';

export const scatter: PlotKind = {
  id: 'scatter',
  label: 'Scatter',
  roles: ['x', 'y', 'color', 'size', 'facet', 'frame'],
  required: ['x', 'y'],
  data: 'scatter',
  hint: 'one point per row; thinned by density past two million points',
};
