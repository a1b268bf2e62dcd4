/**
 * The pseudo-fields every series has without declaring them (docs/concepts.md, "Time"): when
 * each row was written (`_time`, unix seconds) and seconds since its run started (`_elapsed`).
 * The server lists only declared fields, so the builder adds these to what it offers.
 */
import type { FieldType } from './types';

export const TIME_FIELDS: ReadonlyMap<string, FieldType> = new Map([
  ['_time', 'float'],
  ['_elapsed', 'float'],
]);

/** A series' fields as the builder offers them: its own, then the two times. */
export function withTimeFields(fields: readonly string[]): string[] {
  return [...fields, ...[...TIME_FIELDS.keys()].filter((f) => !fields.includes(f))];
}
