import { describe, expect, it } from 'vitest';
import { resolveFormat, sides, svgImageUrl, wordDiff } from './text';

describe('text painter', () => {
  it('takes the spec format, else the declared one, else plain', () => {
    expect(resolveFormat('markdown', 'html')).toBe('markdown');
    expect(resolveFormat('auto', 'html')).toBe('html');
    expect(resolveFormat(undefined, 'svg')).toBe('svg');
    expect(resolveFormat('auto', undefined)).toBe('plain');
    expect(resolveFormat(undefined, 'rtf')).toBe('plain');
  });

  it('diffs words: the inserted and deleted ones marked, the rest kept', () => {
    const parts = wordDiff('the quick brown fox', 'the slow brown fox jumps');
    expect(parts.filter((p) => p.kind === 'removed').map((p) => p.text.trim())).toEqual(['quick']);
    expect(parts.filter((p) => p.kind === 'added').map((p) => p.text.trim())).toEqual(['slow', 'jumps']);
    expect(parts.filter((p) => p.kind !== 'added').map((p) => p.text).join('')).toBe('the quick brown fox');
    expect(parts.filter((p) => p.kind !== 'removed').map((p) => p.text).join('')).toBe('the slow brown fox jumps');
    const two = sides(parts);
    expect(two.expected.map((p) => p.text).join('')).toBe('the quick brown fox');
    expect(two.text.map((p) => p.text).join('')).toBe('the slow brown fox jumps');
  });

  it('equal texts diff to one unmarked part', () => {
    expect(wordDiff('same words', 'same words')).toEqual([{ text: 'same words', kind: 'same' }]);
  });

  it('makes an SVG an image URL that decodes back to it', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="5" height="5"/></svg>';
    const url = svgImageUrl(svg);
    expect(url.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toBe(svg);
  });
});
