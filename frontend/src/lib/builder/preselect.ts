/**
 * The bindings the builder starts a dataset with when a series is picked, so the first
 * preview is already a plot: x the step-like field (the field the series names as its x,
 * else the first int: the workspace's choice, workspace/panels.ts stepOf), y the first
 * other float. A
 * scatter of a series logged as snapshots (a step and two or more floats: an embedding,
 * a point cloud) plots the first two floats of the latest step, one color per run, so it
 * is not a one-color blob of every step at once. Only roles the kind has and whose type
 * rule the field meets are bound.
 */
import type { PlotKind } from '../api/grammar';
import type { FieldType, Role } from '../api/types';
import { stepOf } from '../workspace/panels';
import { refusal } from './roles';

export function preselect(kind: PlotKind, fields: string[], types: Map<string, FieldType>, x?: string): Partial<Record<Role, string>> {
  const typed = fields.map((name) => ({ name, type: types.get(name) ?? '' }));
  const step = stepOf(x, typed, (t) => t === 'int', (t) => t === 'int' || t === 'float')?.name;
  const floats = fields.filter((f) => types.get(f) === 'float' && f !== step);
  const want: [Role, string | undefined][] = [];
  if (kind.id === 'scatter' && step && floats.length >= 2) {
    want.push(['x', floats[0]], ['y', floats[1]], ['frame', step]);
  } else if (!kind.roles.includes('y')) {
    want.push(['x', floats[0] ?? step]); // one-axis kinds (histogram) count values, not steps
  } else if (step) {
    want.push(['x', step], ['y', floats[0]]);
  } else {
    want.push(['x', floats[0]], ['y', floats[1]]);
  }
  if (kind.id === 'scatter') want.push(['color', 'run']);
  const out: Partial<Record<Role, string>> = {};
  for (const [role, field] of want) {
    if (field && kind.roles.includes(role) && refusal(role, field, field === 'run' ? undefined : types.get(field)) === null) out[role] = field;
  }
  return out;
}
