/**
 * The media kind's painter (grammar kind `media`, painter `media`): the rows of the frame
 * shown turned into what the MediaPlot component renders — per run a column of images,
 * audio players or video players, each with the boxes of an overlay dataset joined to it
 * (on the `join` fields; by default the frame field, and `index` when both series have
 * it), filtered by class and score — as pure functions. Media values arrive as the text
 * of their reference (model/media.py); their bytes come from `GET /api/blobs/{sha256}`,
 * cached for good by the browser (a blob's name is its hash).
 */
import type { ColumnData, DataBatch } from '../../api/arrowData';
import { isCodes } from '../../api/arrowData';
import { apiUrl } from '../../api/base';
import type { DataRequest, DatasetSpec, RowCondition } from '../../api/types';
import { categoricalColor, cssColor } from '../palette';

/** A media value: a blob and what it shows (model/media.py, MediaRef). */
export interface MediaRef {
  sha256: string;
  media_type: string;
  bytes: number;
  width: number;
  height: number;
  duration: number;
}

export type MediaKind = 'image' | 'audio' | 'video';

/** One image, clip or video of a run at the frame shown. */
export interface MediaItem {
  run: string;
  step: number | null;
  /** The join key of the item (run and the join fields' values): its boxes' key. */
  key: string;
  ref: MediaRef;
  mask: MediaRef | null;
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  label: string;
  score: number;
}

/** The fields a media plot reads, from its datasets' bindings. */
export interface MediaBindings {
  media: string;
  mask: string | null;
  frame: string | null;
  join: string[];
}

export interface BoxBindings {
  x0: string;
  y0: string;
  x1: string;
  y1: string;
  label: string | null;
  score: string | null;
  frame: string | null;
  join: string[];
}

const one = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : (v ?? null));
const many = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The media dataset of a spec (the one that binds `media`) and its overlay (binds `x0`). */
export function mediaDatasets(datasets: readonly DatasetSpec[]): { media: DatasetSpec | null; boxes: DatasetSpec | null } {
  return {
    media: datasets.find((d) => one(d.bindings.media)) ?? null,
    boxes: datasets.find((d) => one(d.bindings.x0)) ?? null,
  };
}

/**
 * The join fields: those bound to `join` (in either dataset), else the media dataset's
 * frame field and `index` where the overlay's series has them.
 */
export function joinFields(media: DatasetSpec, boxes: DatasetSpec | null, boxSeriesFields: readonly string[] | null, mediaSeriesFields: readonly string[] | null): string[] {
  const bound = many(media.bindings.join).length ? many(media.bindings.join) : many(boxes?.bindings.join);
  if (bound.length) return bound;
  const frame = one(media.bindings.frame);
  const candidates = [frame ?? 'step', 'index'];
  return candidates.filter((f, i) => {
    if (boxSeriesFields === null) return i === 0 && frame !== null;
    return boxSeriesFields.includes(f) && (mediaSeriesFields === null || mediaSeriesFields.includes(f));
  });
}

export function mediaBindings(ds: DatasetSpec, join: string[]): MediaBindings {
  return { media: one(ds.bindings.media) ?? '', mask: one(ds.bindings.mask), frame: one(ds.bindings.frame), join };
}

export function boxBindings(ds: DatasetSpec, join: string[], mediaFrame: string | null): BoxBindings {
  const f = (r: string): string => one(ds.bindings[r]) ?? '';
  return { x0: f('x0'), y0: f('y0'), x1: f('x1'), y1: f('y1'), label: one(ds.bindings.label), score: one(ds.bindings.score), frame: one(ds.bindings.frame) ?? (join.includes(mediaFrame ?? '') ? mediaFrame : null), join };
}

/** The frame condition of a dataset: its frame field's value shown, or each run's latest. */
export function frameWhere(frameField: string | null, frame: number | 'latest'): RowCondition[] {
  if (!frameField) return [];
  return [frame === 'latest' ? { field: frameField, latest: true } : { field: frameField, equals: frame }];
}

function request(ds: DatasetSpec, fields: (string | null)[], where: RowCondition[]): DataRequest {
  const wanted = [...new Set(fields.filter((f): f is string => !!f && f !== 'run'))];
  const req: DataRequest = { filter: ds.filter ?? {}, series: ds.series, fields: wanted, attributes: [], kind: 'media', group: [] };
  const all = [...(ds.where ?? []), ...where];
  if (all.length) req.where = all;
  return req;
}

export function mediaRequest(ds: DatasetSpec, b: MediaBindings, frame: number | 'latest'): DataRequest {
  return request(ds, [b.media, b.mask, b.frame, ...b.join], frameWhere(b.frame, frame));
}

/** The overlay's request: the boxes of the frame shown (latest: each run's latest step). */
export function boxRequest(ds: DatasetSpec, media: DatasetSpec, b: BoxBindings, frame: number | 'latest'): DataRequest {
  const req = request(ds, [b.x0, b.y0, b.x1, b.y1, b.label, b.score, b.frame, ...b.join], frameWhere(b.frame, frame));
  if (!ds.filter) req.filter = media.filter ?? {};
  return req;
}

export function parseRef(text: string): MediaRef | null {
  try {
    const r = JSON.parse(text) as Partial<MediaRef>;
    if (typeof r.sha256 !== 'string' || typeof r.media_type !== 'string') return null;
    return { sha256: r.sha256, media_type: r.media_type, bytes: Number(r.bytes ?? 0), width: Number(r.width ?? 0), height: Number(r.height ?? 0), duration: Number(r.duration ?? 0) };
  } catch {
    return null;
  }
}

/** The narrowest scaled-down image the server makes (web/image_variants.py, MIN_VARIANT_WIDTH). */
export const MIN_VARIANT_WIDTH = 32;

/**
 * The width to ask an image at when it is shown `px` device pixels wide: the power of two
 * at or over it (the server rounds so too: one URL, one cache entry, per step of the
 * ladder), or 0 for the whole image (`px` unknown or 0, or the image no wider).
 */
export function variantWidth(ref: MediaRef, px: number): number {
  if (!(px > 0) || !(ref.width > 0) || mediaKind(ref) !== 'image') return 0;
  const w = Math.max(MIN_VARIANT_WIDTH, 2 ** Math.ceil(Math.log2(Math.ceil(px))));
  return w < ref.width ? w : 0;
}

/**
 * The URL of a media value's bytes (immutable: cached by the browser for good); `px`: the
 * device pixels an image is shown at, so the server sends it scaled down to about that
 * (`?w=`, decision 0039): a sixteenth of the pixels to decode for a 512 px image shown
 * at 128. Omitted or 0: the whole image (zoom, download).
 */
export function mediaUrl(ref: MediaRef, px = 0): string {
  const w = variantWidth(ref, px);
  return apiUrl(`/api/blobs/${ref.sha256}?type=${encodeURIComponent(ref.media_type)}${w ? `&w=${w}` : ''}`);
}

export function mediaKind(ref: MediaRef): MediaKind {
  const top = ref.media_type.split('/')[0];
  return top === 'audio' ? 'audio' : top === 'video' ? 'video' : 'image';
}

/** A table cell's media value: the reference of a media field's cell (`media`: the field's media info), else null. */
export function mediaCellRef(col: ColumnData | undefined, row: number, media: unknown): MediaRef | null {
  if (!media || !isCodes(col)) return null;
  return parseRef(col.values[col.codes[row]!] ?? '');
}

function cell(col: ColumnData | undefined, i: number): string {
  if (col === undefined) return '';
  if (isCodes(col)) return col.values[col.codes[i]!] ?? '';
  return String(col[i]);
}

function num(col: ColumnData | undefined, i: number): number {
  if (col === undefined) return NaN;
  if (isCodes(col)) return Number(col.values[col.codes[i]!]);
  return col[i]!;
}

export function joinKey(run: string, values: readonly string[]): string {
  return JSON.stringify([run, ...values]);
}

/** The items of a media batch, in the order sent (each run's rows in stored order). */
export function mediaItems(batch: DataBatch, b: MediaBindings): MediaItem[] {
  const runs = batch.columns.get('run');
  const media = batch.columns.get(b.media);
  const mask = b.mask ? batch.columns.get(b.mask) : undefined;
  const frame = b.frame ? batch.columns.get(b.frame) : undefined;
  const join = b.join.map((f) => batch.columns.get(f));
  const out: MediaItem[] = [];
  for (let i = 0; i < batch.length; i++) {
    const ref = parseRef(cell(media, i));
    if (!ref) continue;
    const run = cell(runs, i);
    out.push({ run, step: frame instanceof Float64Array ? frame[i]! : null, key: joinKey(run, join.map((c) => cell(c, i))), ref, mask: mask ? parseRef(cell(mask, i)) : null });
  }
  return out;
}

/** Per run (in order of first appearance), its items. */
export function columnsByRun(items: readonly MediaItem[]): { run: string; items: MediaItem[] }[] {
  const by = new Map<string, MediaItem[]>();
  for (const it of items) {
    const list = by.get(it.run);
    if (list) list.push(it);
    else by.set(it.run, [it]);
  }
  return [...by].map(([run, list]) => ({ run, items: list }));
}

/** The boxes of an overlay batch by join key. */
export function boxesByKey(batch: DataBatch, b: BoxBindings): Map<string, Box[]> {
  const runs = batch.columns.get('run');
  const cols = [b.x0, b.y0, b.x1, b.y1].map((f) => batch.columns.get(f));
  const label = b.label ? batch.columns.get(b.label) : undefined;
  const score = b.score ? batch.columns.get(b.score) : undefined;
  const join = b.join.map((f) => batch.columns.get(f));
  const out = new Map<string, Box[]>();
  for (let i = 0; i < batch.length; i++) {
    const key = joinKey(cell(runs, i), join.map((c) => cell(c, i)));
    const box: Box = { x0: num(cols[0], i), y0: num(cols[1], i), x1: num(cols[2], i), y1: num(cols[3], i), label: label ? cell(label, i) : '', score: score ? num(score, i) : NaN };
    const list = out.get(key);
    if (list) list.push(box);
    else out.set(key, [box]);
  }
  return out;
}

/** The classes of the boxes, sorted (the class filter's choices; they also pick the colors). */
export function boxClasses(boxes: ReadonlyMap<string, readonly Box[]>): string[] {
  const s = new Set<string>();
  for (const list of boxes.values()) for (const b of list) s.add(b.label);
  return [...s].sort();
}

/** The boxes shown: score at or over the threshold (a box without a score always is), class not hidden. */
export function visibleBoxes(boxes: readonly Box[], threshold: number, hidden: ReadonlySet<string>): Box[] {
  return boxes.filter((b) => !hidden.has(b.label) && (Number.isNaN(b.score) || b.score >= threshold));
}

/** A class's color: the categorical palette by its place among all classes. */
export function classColor(label: string, classes: readonly string[]): string {
  const i = Math.max(0, classes.indexOf(label));
  return cssColor(categoricalColor(undefined, i, Math.max(classes.length, 1)));
}

/** A box's caption: its label and score ("cat 0.91"). */
export function boxCaption(b: Box): string {
  const score = Number.isNaN(b.score) ? '' : b.score.toFixed(2);
  return [b.label, score].filter((s) => s !== '').join(' ');
}

/**
 * A waveform's peak envelope: per column the lowest and highest sample (of all channels),
 * so no spike is hidden whatever the clip's length.
 */
export function peaks(channels: readonly Float32Array[], columns: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  const n = channels[0]?.length ?? 0;
  if (n === 0 || columns <= 0) return { min, max };
  for (let c = 0; c < columns; c++) {
    const a = Math.floor((c * n) / columns);
    const z = Math.max(a + 1, Math.floor(((c + 1) * n) / columns));
    let lo = Infinity;
    let hi = -Infinity;
    for (const ch of channels) {
      for (let i = a; i < z && i < n; i++) {
        const v = ch[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    min[c] = lo === Infinity ? 0 : lo;
    max[c] = hi === -Infinity ? 0 : hi;
  }
  return { min, max };
}
