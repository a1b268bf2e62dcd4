/**
 * What tells the runs of a plot apart: the attributes whose values differ between them,
 * as "lr=0.003 · sgd". Legends use it instead of run handles; the landing page's run table
 * hides the same bookkeeping attributes.
 */
import type { AttributeValue } from '../api/types';
import { formatValue } from './format';

/** Attributes the logger records for bookkeeping (the command line, the environment): never what a run is about. */
export const BOOKKEEPING_PREFIXES = ['command.', 'env.'];

export function isBookkeeping(name: string): boolean {
  return BOOKKEEPING_PREFIXES.some((p) => name.startsWith(p));
}

/** An attribute value for people: numbers short (0.003, not 0.0030000000000000005). */
export function formatAttribute(v: AttributeValue | null | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'number' ? formatValue(v) : String(v);
}

function part(name: string, v: AttributeValue | undefined): string {
  if (v === undefined) return `${name}=–`;
  // A string names itself ("sgd"); a number or flag means nothing without its name.
  return typeof v === 'string' ? v : `${name}=${formatAttribute(v)}`;
}

/**
 * A label per run from the attributes that differ among `runs` (bookkeeping ones left out),
 * in name order; a run that differs in none of them (or the only run) gets its short handle.
 */
export function differingLabels(runs: Map<string, Record<string, AttributeValue>>): Map<string, string> {
  const names = new Set<string>();
  for (const attrs of runs.values()) for (const k of Object.keys(attrs)) if (!isBookkeeping(k)) names.add(k);
  const differing = [...names].sort().filter((k) => new Set([...runs.values()].map((a) => JSON.stringify(a[k] ?? null))).size > 1);
  const out = new Map<string, string>();
  for (const [handle, attrs] of runs) {
    const label = differing.map((k) => part(k, attrs[k])).join(' · ');
    out.set(handle, label || shortHandle(handle));
  }
  return out;
}

/** A run handle as the UI shows it: the first 8 characters of a UUID. */
export function shortHandle(handle: string): string {
  return handle.length === 36 ? handle.slice(0, 8) : handle;
}
