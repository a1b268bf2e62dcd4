/**
 * The plot grammar as the server serves it (GET /api/info, under "grammar"; the table is
 * src/streamvis/checks/grammar.py): each role's help, the field types it takes and the
 * reason a field is refused; each kind's label, hint, roles in builder order, required
 * roles, server-side reduction and painter (lib/plot/painters/). The UI keeps no copy:
 * `setGrammar` fills these tables when the server info arrives (serverInfo.svelte.ts),
 * before any page is shown (App.svelte). Unit tests load grammar.fixture.json, which a
 * server test keeps equal to what the server serves (scripts/gen-grammar writes it).
 */
import type { FieldType, Role } from './types';

export interface RoleInfo {
  id: Role;
  help: string;
  traits: string[];
  /** The field types it takes, sorted. */
  types: FieldType[];
  /** Said after the role's name when a field is refused: "is a position or amount, so it needs numbers". */
  reason: string;
  /** Whether the pseudo-field `run` (the run handle) may take it. */
  run: boolean;
}

export interface PlotKind {
  id: string;
  label: string;
  hint: string;
  /** Roles shown in the builder, in order; the server refuses a binding to any other. */
  roles: Role[];
  required: Role[];
  /** How the server reduces its rows for /api/data (`m4`, `density`), or null. */
  reduction: string | null;
  /** The painter module that draws it (lib/plot/painters/). */
  painter: string;
  /** When not empty, each dataset binds every role of one of these sets (a media plot's images, or its boxes). */
  one_of?: Role[][];
  /** The axes a spec's `scales` may make log: x, y, x2, y2, or a 3-D kind's x, y, z. */
  scales?: string[];
}

export interface Grammar {
  roles: RoleInfo[];
  kinds: PlotKind[];
}

/** The kinds, in the server's order (the builder offers them so). */
export const KINDS: PlotKind[] = [];
/** The field types each role takes. */
export const ROLE_TYPES: Record<Role, readonly FieldType[]> = {};
const ROLES = new Map<Role, RoleInfo>();

export function setGrammar(g: Grammar): void {
  KINDS.splice(0, KINDS.length, ...g.kinds);
  ROLES.clear();
  for (const key of Object.keys(ROLE_TYPES)) delete ROLE_TYPES[key];
  for (const r of g.roles) {
    ROLES.set(r.id, r);
    ROLE_TYPES[r.id] = r.types;
  }
}

export function kindById(id: string): PlotKind | undefined {
  return KINDS.find((k) => k.id === id);
}

export function roleById(id: Role): RoleInfo | undefined {
  return ROLES.get(id);
}
