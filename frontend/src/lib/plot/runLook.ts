/**
 * Run colors, names and a highlighted run that several plots share: the workspace gives every panel
 * the same one, so a run has one color everywhere and hovering it in the run list brings its
 * lines forward in every panel. A plot without one colors runs as its own palette says.
 */
import type { RGBA } from './palette';

export class RunLook {
  /** Run handle → color. */
  colors = new Map<string, RGBA>();
  /** Run handle → the name legends show (the workspace's run list names runs the same). */
  names = new Map<string, string>();
  /** The run whose lines stand out; the others are drawn faded. */
  highlight: string | null = null;
  private listeners = new Set<() => void>();

  /** Tells the plots to draw again (colors or highlight changed). */
  changed(): void {
    for (const fn of this.listeners) fn();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The color of a run's line: its own, faded toward the white background when another run is highlighted. */
  lineColor(run: string, fallback: RGBA): RGBA {
    const c = this.colors.get(run) ?? fallback;
    if (this.highlight === null || this.highlight === run) return c;
    const fade = (v: number): number => Math.round(v * 0.2 + 255 * 0.8);
    return [fade(c[0]), fade(c[1]), fade(c[2]), c[3]];
  }
}
