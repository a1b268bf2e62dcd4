/**
 * The builder's work in its URL (`/build?draft=<JSON>`, with `plot=NAME` once saved), so a
 * reload, back and forward keep it and a half-built plot can be shared as a link. The
 * whole draft travels, not the spec it becomes: fields picked but not yet bound stay.
 */
import { noSmoothing, type PlotDraft } from './draft';

/** A draft read from a URL: its known keys over `base`, each of the type `base` has. */
export function draftFromParam(raw: string, base: PlotDraft): PlotDraft {
  const given: unknown = JSON.parse(raw);
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new Error('not an object');
  const out: PlotDraft = { ...base };
  for (const [key, value] of Object.entries(given)) {
    const k = key as keyof PlotDraft;
    if (!(k in base)) continue;
    const want = base[k];
    const same = Array.isArray(want) ? Array.isArray(value) : typeof want === typeof value || (k === 'frame' && typeof value === 'number');
    if (same) (out as unknown as Record<string, unknown>)[k] = value;
  }
  out.datasets = out.datasets.map((d) => ({
    filter: d.filter ?? {}, series: d.series ?? '', fields: d.fields ?? [], attributes: d.attributes ?? [],
    bindings: d.bindings ?? {}, axes: { x: d.axes?.x === 'x2' ? 'x2' : 'x', y: d.axes?.y === 'y2' ? 'y2' : 'y' },
    ...(d.perRun === true ? { perRun: true } : {}),
  }));
  if (!out.datasets.length) out.datasets = base.datasets;
  // An object of any shape passes the type test above; the smoothing's parts are filled in.
  out.smooth = { ...noSmoothing(), ...(out.smooth ?? {}) };
  if (out.yRange !== 'robust' && out.yRange !== 'full') out.yRange = 'auto';
  return out;
}

/**
 * The query string for a draft: `plot=NAME` alone while the draft is the plot as saved
 * (`savedJson`), `plot=NAME&draft=...` once it is edited after, `draft=...` before a save.
 */
export function draftQuery(draft: PlotDraft, saved: { name: string; json: string } | null): string {
  const json = JSON.stringify(draft);
  const q = new URLSearchParams();
  if (saved) q.set('plot', saved.name);
  if (!saved || saved.json !== json) q.set('draft', json);
  return q.toString();
}
