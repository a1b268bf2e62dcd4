/**
 * Series with many rows per step (a point cloud, a layer's weights, boxes per image) are drawn
 * in the workspace as distributions over steps, not as lines: a line per run would zigzag
 * through every row of a step. Whether a series is one is read from its data, not its schema:
 * the rows per step of one run in view (POST /api/dataset-summary's counts of the step field).
 * Such a panel is the histogram kind over steps (grammar `histogram` with `t`) in its
 * percentile-band view, TensorBoard's distributions; its section follows the regular ones.
 */
import type { DatasetSummary } from '../api/explore';
import type { PlotSpec, RunFilter } from '../api/types';
import { CLOCKED_SERIES, type Panel, type Section } from './panels';

/** Rows per step (median over steps, per run) from which a series is a distribution. */
export const DISTRIBUTION_ROWS_PER_STEP = 4;

/** Whether a summary of `x` (the series' step) says the series has many rows per step. */
export function isDistribution(summary: DatasetSummary, x: string): boolean {
  const counts = summary.values[x]?.counts ?? [];
  if (!counts.length || summary.runs < 1) return false;
  const sorted = [...counts].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return median / summary.runs >= DISTRIBUTION_ROWS_PER_STEP;
}

/**
 * The sections with the series in `clouds` made distribution panels, after the regular sections
 * with a chart and before those of only media and text and the clocked ones (panels.ts orders
 * them so): a distribution is a chart too. Only their line panels: a media or text panel shows
 * its rows as they are, with a slider.
 */
export function withDistributions(sections: Section[], clouds: ReadonlySet<string>): Section[] {
  const regular = sections.filter((s) => !clouds.has(s.series));
  const spread = sections.filter((s) => clouds.has(s.series)).map((s) => ({ ...s, panels: s.panels.map((p) => (p.media || p.text ? p : { ...p, distribution: true })) }));
  const charted = (s: Section): boolean => CLOCKED_SERIES[s.series] === undefined && s.panels.some((p) => !p.media && !p.text);
  const firstLate = regular.findIndex((s) => !charted(s));
  const cut = firstLate < 0 ? regular.length : firstLate;
  return [...regular.slice(0, cut), ...spread, ...regular.slice(cut)];
}

/** A distribution panel's plot: the field's percentile bands over `t` (the step or a time), for the runs of `filter`. */
export function distributionSpec(panel: Panel, filter: RunFilter, t: string, name: string): PlotSpec {
  return {
    name,
    title: panel.y,
    kind: 'histogram',
    view: 'distribution',
    datasets: [{ series: panel.series, filter, bindings: { x: panel.y, t } }],
  };
}
