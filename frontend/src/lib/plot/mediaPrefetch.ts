/**
 * Ahead of the frame slider: a media plot fetches the rows of the steps next to the one
 * shown and decodes their images, so moving the slider one step shows decoded images at
 * once instead of waiting for 16 PNG decodes (docs/decisions/0030-media-panel.md).
 *
 * Two bounded caches: the rows of a request (by its JSON), and the decoded images (by
 * URL; a live Image keeps its bitmap decoded, and an <img> of the same URL shares it).
 * The oldest entries go first; nothing outlives the plot (`dispose`).
 */
import { fetchData, type DataBatch } from '../api/arrowData';
import type { DataRequest } from '../api/types';
import { mediaItems, mediaKind, mediaUrl, type MediaBindings } from './painters/media';

/** Row batches kept: the frames next to the one shown, both ways, and a few visited. */
export const MAX_PREFETCHED_FRAMES = 6;
/** Decoded images kept alive (at 512 x 512, 1 MiB each). */
export const MAX_DECODED_IMAGES = 64;

/** The frames next to `frame` among `frames` (sorted): the one before and the one after. */
export function neighbours(frames: readonly number[], frame: number | 'latest'): number[] {
  if (frames.length === 0) return [];
  const i = frame === 'latest' ? frames.length - 1 : frames.indexOf(frame);
  if (i < 0) return [];
  return [frames[i + 1], frames[i - 1]].filter((f): f is number => f !== undefined);
}

/** A map that forgets its oldest entries past `max` (a get refreshes an entry). */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

export class MediaPrefetch {
  private readonly batches = new Lru<DataBatch>(2 * MAX_PREFETCHED_FRAMES);  // images' and boxes' rows
  private readonly images = new Lru<HTMLImageElement>(MAX_DECODED_IMAGES);
  private readonly pending = new Set<string>();
  private readonly abort = new AbortController();
  /** The device pixels the plot shows an image at: images are decoded at the size asked for there. */
  px = 0;

  /** The rows of `req` when fetched already (the plot shows them while it asks again). */
  cached(req: DataRequest): DataBatch | undefined {
    return this.batches.get(JSON.stringify(req));
  }

  /** Remember rows the plot loaded itself, and keep their images decoded. */
  keep(req: DataRequest, batch: DataBatch, b: MediaBindings | null): void {
    this.batches.set(JSON.stringify(req), batch);
    if (b) this.decode(batch, b);
  }

  /** Fetch the rows of `req` and decode their images (`b`: of its media), unless done or under way. */
  ahead(req: DataRequest, b: MediaBindings | null): void {
    const key = JSON.stringify(req);
    const known = this.batches.get(key);
    if (known) {
      // Its rows are here, but its images may have been let go since: decode them again.
      if (b) this.decode(known, b);
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.add(key);
    fetchData(req, this.abort.signal).then(
      (batch) => {
        this.pending.delete(key);
        this.batches.set(key, batch);
        if (b) this.decode(batch, b);
      },
      () => this.pending.delete(key),
    );
  }

  private decode(batch: DataBatch, b: MediaBindings): void {
    if (this.px === 0) return;  // not laid out: the size to decode at is not known yet
    for (const item of mediaItems(batch, b)) {
      for (const ref of item.mask ? [item.ref, item.mask] : [item.ref]) {
        if (mediaKind(ref) !== 'image') continue;
        const url = mediaUrl(ref, this.px);
        if (this.images.get(url)) continue;
        const img = new Image();
        img.src = url;
        img.decode().catch(() => {});
        this.images.set(url, img);
      }
    }
  }

  dispose(): void {
    this.abort.abort();
    this.batches.clear();
    this.images.clear();
  }
}
