/** The registry of plot kinds: the builder offers these, the renderer looks them up. */
import type { PlotKind } from './kind';
import { line } from './line';
import { scatter } from './scatter';

export type { PlotKind } from './kind';

export const KINDS: readonly PlotKind[] = [line, scatter];

export function kindById(id: string): PlotKind | undefined {
  return KINDS.find((k) => k.id === id);
}
