/**
 * Which field types each role takes (the server's plot_specs.ROLE_TYPES), and the reason a
 * binding is refused, said in the builder next to the role.
 */
import type { FieldType, Role } from '../api/types';

const NUMERIC: readonly FieldType[] = ['float', 'int'];
const DISCRETE: readonly FieldType[] = ['bool', 'int', 'string'];

export const ROLE_TYPES: Record<Role, readonly FieldType[]> = {
  x: NUMERIC,
  y: NUMERIC,
  z: NUMERIC,
  size: NUMERIC,
  order: NUMERIC,
  frame: NUMERIC,
  color: ['bool', 'float', 'int', 'string'],
  group: DISCRETE,
  facet: DISCRETE,
};

/** Roles that may take the pseudo-field `run` (the run handle). */
export const RUN_ROLES: readonly Role[] = ['group', 'color', 'facet'];

export const ROLE_HELP: Record<Role, string> = {
  x: 'horizontal position',
  y: 'vertical position',
  z: 'depth (for kinds that draw it)',
  color: 'numbers: a continuous scale; int, string, bool: categories',
  size: 'point size',
  group: 'one line per value',
  order: 'the order of a line’s points (default: by x)',
  facet: 'one small plot per value, in a grid',
  frame: 'a slider over its values; latest only by default',
};

/** Why `field` (of `type`, undefined for `run`) may not take `role`, or null when it may. */
export function refusal(role: Role, field: string, type: FieldType | undefined): string | null {
  if (field === 'run') {
    return RUN_ROLES.includes(role) ? null : `${role} needs numbers; the run is a handle`;
  }
  if (type === undefined) return `there is no field named "${field}"`;
  const allowed = ROLE_TYPES[role];
  if (allowed.includes(type)) return null;
  const what = role === 'color' ? 'any type' : allowed.join(', ');
  const why =
    allowed === NUMERIC
      ? `${role} is a position or amount, so it needs numbers (${what})`
      : `${role} splits the data by value, so it needs discrete values (${what})`;
  return `"${field}" is ${type}: ${why}`;
}
