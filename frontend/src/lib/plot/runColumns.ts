/**
 * The columns of a per-run dataset (docs/plots.md, "Per-run datasets"; web/run_columns.py):
 * `attr.NAME` has the attribute field's type, `last.F`, `min.F`, `max.F` are floats and
 * `rows` an int. The builder offers them and the color scale reads their types here.
 */
import type { FieldInfo } from '../api/types';

export const STATS = ['last', 'min', 'max'] as const;

/** The type of per-run column `name`, or undefined when it names no attribute field known. */
export function runColumnType(name: string, fields: Map<string, FieldInfo>): string | undefined {
  if (name === 'rows') return 'int';
  const dot = name.indexOf('.');
  const source = name.slice(0, dot);
  const field = name.slice(dot + 1);
  if (dot < 0) return undefined;
  if (source === 'attr') return fields.get(field)?.type;
  return (STATS as readonly string[]).includes(source) ? 'float' : undefined;
}

/** The per-run columns a series offers: its numeric fields' summaries, the attributes given, rows. */
export function runColumns(seriesFields: string[], attributes: string[], fields: Map<string, FieldInfo>, numeric: (type: string | undefined) => boolean): string[] {
  const stats = seriesFields.filter((f) => numeric(fields.get(f)?.type)).flatMap((f) => STATS.map((s) => `${s}.${f}`));
  return [...attributes.map((a) => `attr.${a}`), ...stats, 'rows'];
}
