/**
 * The bindings the builder starts a dataset with when a series is picked, so the first
 * preview is already a plot: x the step-like field (the first int), y the first float. A
 * scatter of a series logged as snapshots (a step and two or more floats: an embedding,
 * a point cloud) plots the first two floats of the latest step, one color per run, so it
 * is not a one-color blob of every step at once. Only roles the kind has and whose type
 * rule the field meets are bound.
 */
import type { PlotKind } from '../api/grammar';
import type { FieldType, Role } from '../api/types';
import { refusal } from './roles';

export function preselect(kind: PlotKind, fields: string[], types: Map<string, FieldType>): Partial<Record<Role, string>> {
  const ints = fields.filter((f) => types.get(f) === 'int');
  const floats = fields.filter((f) => types.get(f) === 'float');
  const step = ints[0];
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
