/**
 * What a role means and why a field may not take it, said in the builder next to the role,
 * worded from the server's grammar (lib/api/grammar.ts) so the builder and the server agree.
 */
import { roleById } from '../api/grammar';
import type { FieldType, Role } from '../api/types';

export function roleHelp(role: Role): string {
  return roleById(role)?.help ?? '';
}

/** Why `field` (of `type`, undefined for `run`) may not take `role`, or null when it may. */
export function refusal(role: Role, field: string, type: FieldType | undefined): string | null {
  const r = roleById(role);
  if (!r) return `the server knows no role "${role}"`;
  if (field === 'run') return r.run ? null : `${role} cannot be the run: the run is a handle; ${role} ${r.reason}`;
  if (type === undefined) return `there is no field named "${field}"`;
  if (r.types.includes(type)) return null;
  return `"${field}" is ${type}: ${role} ${r.reason} (${r.types.join(', ')})`;
}
