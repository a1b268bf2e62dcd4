/**
 * The compare page's hyperparameter views as plot specs (W&B's and Aim's): parallel
 * coordinates of the attributes that differ against a summary of a metric, and a scatter of
 * one attribute against it. Both read a per-run dataset (docs/plots.md, "Per-run datasets"),
 * so they are ordinary plots: shown by PlotPanel, saved with PUT /api/plots, opened in the
 * builder.
 */
import type { PlotSpec, RunInfo } from '../api/types';
import type { AttributeRow } from './diff';

export type Stat = 'last' | 'min' | 'max';
export const STATS: readonly Stat[] = ['min', 'last', 'max'];

export interface Metric {
  series: string;
  field: string;
  stat: Stat;
}

/** The per-run column of a metric's summary: `min.loss`. */
export function metricColumn(m: Metric): string {
  return `${m.stat}.${m.field}`;
}

/** The differing attributes every run has (a run without one would drop out of a per-run dataset). */
export function hparamAttributes(differ: AttributeRow[]): string[] {
  return differ.filter((r) => r.values.every((v) => v !== undefined)).map((r) => r.name);
}

/** Whether positive numbers spread over more than two decades: then a log axis shows them. */
export function spansDecades(values: unknown[]): boolean {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!nums.length || nums.some((v) => v <= 0)) return false;
  return Math.max(...nums) / Math.min(...nums) >= 100;
}

function filterOf(runs: RunInfo[]): { handles: string[] } {
  return { handles: runs.map((r) => r.handle) };
}

/** Parallel coordinates: an axis per attribute, then the metric; each run's line colored by the metric. */
export function parallelSpec(runs: RunInfo[], attributes: string[], m: Metric): PlotSpec {
  const metric = metricColumn(m);
  return {
    name: `hparams ${m.series} ${metric}`,
    title: `${attributes.join(', ')} → ${m.stat} of ${m.series} · ${m.field}`,
    kind: 'parallel',
    datasets: [{ series: m.series, per_run: true, filter: filterOf(runs), bindings: { dims: [...attributes.map((a) => `attr.${a}`), metric], color: metric } }],
  };
}

/** A scatter of one attribute (x; log when it spans decades) against the metric (y), a point per run. */
export function scatterSpec(runs: RunInfo[], attribute: string, m: Metric): PlotSpec {
  const metric = metricColumn(m);
  const log = spansDecades(runs.map((r) => r.attributes[attribute]));
  return {
    name: `${attribute} vs ${m.series} ${metric}`,
    title: `${m.stat} of ${m.series} · ${m.field} against ${attribute}`,
    kind: 'scatter',
    datasets: [{ series: m.series, per_run: true, filter: filterOf(runs), bindings: { x: `attr.${attribute}`, y: metric, color: 'run' } }],
    scales: { x: log ? 'log' : 'lin', y: 'lin' },
  };
}
