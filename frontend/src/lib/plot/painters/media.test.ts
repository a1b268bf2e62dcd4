import { describe, expect, it } from 'vitest';
import type { ColumnData, DataBatch } from '../../api/arrowData';
import type { DatasetSpec } from '../../api/types';
import {
  boxBindings, boxClasses, boxesByKey, boxRequest, columnsByRun, joinFields, mediaBindings, mediaCellRef, mediaDatasets, mediaItems, mediaKind, mediaRequest, mediaUrl, parseRef, peaks, variantWidth, visibleBoxes,
} from './media';

const ref = (sha: string, type = 'image/png'): string => JSON.stringify({ sha256: sha, media_type: type, bytes: 10, width: 4, height: 2, duration: 0 });
const codes = (values: string[]): { codes: Int32Array; values: string[] } => ({ codes: Int32Array.from(values.map((_, i) => i)), values });

const images: DatasetSpec = { series: 'samples', bindings: { media: 'img', frame: 'step' } };
const boxes: DatasetSpec = { series: 'samples.boxes', bindings: { x0: 'box.x0', y0: 'box.y0', x1: 'box.x1', y1: 'box.y1', label: 'box.label', score: 'box.score' } };

describe('media painter', () => {
  it('asks for an image scaled down to the power of two at or over the width shown, else whole', () => {
    const big = { sha256: 'ab', media_type: 'image/png', bytes: 1, width: 512, height: 256, duration: 0 };
    expect(variantWidth(big, 127)).toBe(128);
    expect(variantWidth(big, 128)).toBe(128);
    expect(variantWidth(big, 129.5)).toBe(256);
    expect(variantWidth(big, 3)).toBe(32);
    expect(variantWidth(big, 300)).toBe(0); // 512 is the image itself
    expect(variantWidth(big, 0)).toBe(0);
    expect(variantWidth({ ...big, width: 0 }, 100)).toBe(0); // size unknown
    expect(variantWidth({ ...big, media_type: 'video/mp4' }, 100)).toBe(0);
    expect(mediaUrl(big, 100)).toMatch(/\/api\/blobs\/ab\?type=image%2Fpng&w=128$/);
    expect(mediaUrl(big)).toMatch(/\/api\/blobs\/ab\?type=image%2Fpng$/);
  });

  it('finds the media dataset and its overlay, and joins on the frame field (and index where both have it)', () => {
    expect(mediaDatasets([boxes, images])).toEqual({ media: images, boxes });
    expect(joinFields(images, boxes, ['step', 'box.x0'], ['step', 'img'])).toEqual(['step']);
    expect(joinFields(images, boxes, ['step', 'index'], ['step', 'index', 'img'])).toEqual(['step', 'index']);
    expect(joinFields({ ...images, bindings: { ...images.bindings, join: ['k'] } }, boxes, [], [])).toEqual(['k']);
  });

  it('asks for the frame shown: each run latest by default, or one step', () => {
    const mb = mediaBindings(images, ['step']);
    expect(mediaRequest(images, mb, 'latest')).toEqual({ filter: {}, series: 'samples', fields: ['img', 'step'], attributes: [], kind: 'media', group: [], where: [{ field: 'step', latest: true }] });
    const bb = boxBindings(boxes, ['step'], 'step');
    expect(boxRequest(boxes, { ...images, filter: { tags_any: ['a'] } }, bb, 3)).toMatchObject({ series: 'samples.boxes', filter: { tags_any: ['a'] }, where: [{ field: 'step', equals: 3 }] });
  });

  it('reads items per run and joins boxes to them by key', () => {
    const batch: DataBatch = { length: 3, reduced: 'none', lastSequence: 1, columns: new Map<string, ColumnData>([
      ['run', { codes: new Int32Array([0, 0, 1]), values: ['r1', 'r2'] }],
      ['img', codes([ref('a'), ref('b'), ref('c')])],
      ['step', new Float64Array([5, 5, 7])],
    ]) };
    const items = mediaItems(batch, mediaBindings(images, ['step']));
    expect(items.map((i) => [i.run, i.step, i.ref.sha256])).toEqual([['r1', 5, 'a'], ['r1', 5, 'b'], ['r2', 7, 'c']]);
    expect(columnsByRun(items).map((c) => [c.run, c.items.length])).toEqual([['r1', 2], ['r2', 1]]);
    const bb: DataBatch = { length: 2, reduced: 'none', lastSequence: 1, columns: new Map<string, ColumnData>([
      ['run', { codes: new Int32Array([0, 0]), values: ['r1'] }],
      ['step', new Float64Array([5, 6])],
      ['box.x0', new Float64Array([1, 2])], ['box.y0', new Float64Array([1, 2])],
      ['box.x1', new Float64Array([3, 4])], ['box.y1', new Float64Array([3, 4])],
      ['box.label', codes(['dog', 'cat'])], ['box.score', new Float64Array([0.9, 0.2])],
    ]) };
    const byKey = boxesByKey(bb, boxBindings(boxes, ['step'], 'step'));
    expect(byKey.get(items[0]!.key)).toEqual([{ x0: 1, y0: 1, x1: 3, y1: 3, label: 'dog', score: 0.9 }]);
    expect(byKey.get(items[2]!.key)).toBeUndefined();
    expect(boxClasses(byKey)).toEqual(['cat', 'dog']);
  });

  it('hides boxes under the threshold and of hidden classes', () => {
    const list = [{ x0: 0, y0: 0, x1: 1, y1: 1, label: 'a', score: 0.3 }, { x0: 0, y0: 0, x1: 1, y1: 1, label: 'b', score: 0.8 }, { x0: 0, y0: 0, x1: 1, y1: 1, label: 'a', score: NaN }];
    expect(visibleBoxes(list, 0.5, new Set()).map((b) => b.score)).toEqual([0.8, NaN]);
    expect(visibleBoxes(list, 0, new Set(['a'])).map((b) => b.label)).toEqual(['b']);
  });

  it('parses references, tells the kind, and finds media cells', () => {
    expect(parseRef('not json')).toBeNull();
    expect(parseRef(ref('x', 'audio/wav'))).toMatchObject({ sha256: 'x', width: 4 });
    expect(mediaKind(parseRef(ref('x', 'audio/wav'))!)).toBe('audio');
    expect(mediaKind(parseRef(ref('x', 'video/mp4'))!)).toBe('video');
    expect(mediaCellRef(codes([ref('z')]), 0, { kind: 'image' })?.sha256).toBe('z');
    expect(mediaCellRef(codes([ref('z')]), 0, undefined)).toBeNull();
  });

  it('keeps every spike in the waveform envelope', () => {
    const s = new Float32Array(1000);
    s[501] = 0.9;
    s[10] = -0.7;
    const { min, max } = peaks([s], 10);
    expect(max[5]).toBeCloseTo(0.9);
    expect(min[0]).toBeCloseTo(-0.7);
    expect(max[3]).toBe(0);
  });
});
