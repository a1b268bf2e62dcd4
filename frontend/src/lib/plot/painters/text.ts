/**
 * The text kind's painter (grammar kind `text`, painter `text`): what a text cell shows, as
 * pure functions the TextPlot component renders. A string is shown by its format: plain
 * (as text, pre-wrapped), markdown (rendered by `marked`, then sanitized by DOMPurify),
 * HTML (sanitized by DOMPurify and shown in an iframe sandboxed without allow-scripts, so
 * even a payload DOMPurify missed cannot run), SVG (an <img> of a data URL: a browser never
 * runs the scripts of an image). With `expected` bound, a word diff (jsdiff) of the two.
 * docs/decisions/0019-text-and-table-kinds.md says why these libraries.
 */
import { diffWordsWithSpace } from 'diff';
import DOMPurify from 'dompurify';
import { marked } from 'marked';

export const FORMATS = ['plain', 'markdown', 'html', 'svg'] as const;
export type TextFormat = (typeof FORMATS)[number];
/** A plot spec's `format`: `auto` takes the field's declared format, else plain. */
export type FormatOption = TextFormat | 'auto';

export function isFormat(v: unknown): v is TextFormat {
  return typeof v === 'string' && (FORMATS as readonly string[]).includes(v);
}

/** The format a text is shown in: the spec's choice, else the field's declared one, else plain. */
export function resolveFormat(option: FormatOption | undefined, declared: unknown): TextFormat {
  if (option && option !== 'auto') return option;
  return isFormat(declared) ? declared : 'plain';
}

/** One run of words of a diff: in both texts, only in the text (added), only in expected (removed). */
export interface DiffPart {
  text: string;
  kind: 'same' | 'added' | 'removed';
}

/** The word diff from `expected` to `text`. */
export function wordDiff(expected: string, text: string): DiffPart[] {
  return diffWordsWithSpace(expected, text).map((c) => ({ text: c.value, kind: c.added ? 'added' : c.removed ? 'removed' : 'same' }));
}

/** The two sides of a side-by-side diff: expected with its removed words, text with its added ones. */
export function sides(parts: readonly DiffPart[]): { expected: DiffPart[]; text: DiffPart[] } {
  return { expected: parts.filter((p) => p.kind !== 'added'), text: parts.filter((p) => p.kind !== 'removed') };
}

/** Markdown as sanitized HTML, safe to put in the page. */
export function markdownHtml(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true });
  return DOMPurify.sanitize(html);
}

/**
 * The srcdoc of the sandboxed frame that shows an HTML text: sanitized, with a policy that
 * forbids scripts and loads (the sandbox forbids them too; this is the second lock).
 */
export function htmlFrameDoc(source: string): string {
  const body = DOMPurify.sanitize(source);
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">` +
    '<style>body{font:13px system-ui,sans-serif;margin:6px;color:#222}</style></head><body>' +
    body +
    '</body></html>'
  );
}

/** An SVG text as an image URL: shown by <img>, its scripts and handlers never run. */
export function svgImageUrl(source: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
}
