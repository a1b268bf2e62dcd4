/**
 * The server's field type registry (GET /api/info, "types"): code asks it how to treat a
 * type's values instead of comparing type names. Until /api/info answers — and for a
 * server older than the registry — the built-in types are known (builtinTypes.json, which
 * tests/web/test_api_info.py keeps equal to what the server sends).
 */
import builtin from './builtinTypes.json';

export interface TypeInfo {
  name: string;
  description: string;
  /** What the type is good for: `numeric` (an axis position), `discrete` (groups, lines). */
  traits: string[];
  /** What a value is in JSON, so how a URL's text is read back. */
  value: 'number' | 'string' | 'boolean';
  /** Values vary continuously: a continuous color scale, clock ticks between values. */
  continuous: boolean;
  /** `image`, `audio`, `video`: values are blob references (GET /api/blobs/{sha256}); '' else. */
  media?: string;
  /** The options a field of the type may declare (format, encoding, quality, fps). */
  options?: string[];
}

// $state: what reads it (derived columns, scales) follows when the server's table arrives.
let table = $state.raw(new Map<string, TypeInfo>((builtin as TypeInfo[]).map((t) => [t.name, t])));

/** Replace the table with the server's (from /api/info). */
export function setFieldTypes(types: readonly TypeInfo[]): void {
  table = new Map(types.map((t) => [t.name, t]));
}

export function typeInfo(type: string | undefined): TypeInfo | undefined {
  return type === undefined ? undefined : table.get(type);
}

export function hasTrait(type: string | undefined, trait: 'numeric' | 'discrete' | 'textual' | 'media' | 'pixels'): boolean {
  return typeInfo(type)?.traits.includes(trait) ?? false;
}

export function isContinuous(type: string | undefined): boolean {
  return typeInfo(type)?.continuous ?? false;
}

/** A value written as text (a URL parameter) read back in its type; unknown types stay text. */
export function parseTyped(text: string, type: string | undefined): number | string | boolean {
  switch (typeInfo(type)?.value) {
    case 'number':
      return Number(text);
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
}
