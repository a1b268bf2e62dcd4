/**
 * A plot panel as a picture, for the toolbar's downloads: PNG (the pixels the panel shows:
 * title, data, axes and legend composed at the screen's resolution) and SVG (axes, title and
 * legend as vector text and lines, the data as the embedded image the GPU drew; see
 * docs/decisions/0024-plot-chrome.md).
 *
 * The title and legend are HTML; they are painted from the elements' places and computed
 * styles (elements marked data-export-text / data-export-swatch), so the picture is laid out
 * exactly as the panel is, wrapped legend rows included.
 */
import { Context } from 'svgcanvas';

export interface PanelParts {
  /** The whole panel: the picture's size. */
  root: HTMLElement;
  /** The plot body (axes' origin) and the data area inside it. */
  body: HTMLElement;
  area: HTMLElement;
  /** The data as drawn (a 2D canvas at the screen's resolution), and the axes over it. */
  target: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
}

type Ctx = CanvasRenderingContext2D;

function offset(el: Element, root: DOMRect): [number, number, number, number] {
  const r = el.getBoundingClientRect();
  return [r.left - root.left, r.top - root.top, r.width, r.height];
}

/** A CSS linear-gradient's colors, for the legend's color bar. */
function gradientStops(css: string): string[] {
  return css.match(/rgba?\([^)]*\)/g) ?? [];
}

/** Paints the panel's HTML text and swatches (title, legend) where they are on screen. */
function paintHtml(ctx: Ctx, root: HTMLElement): void {
  const base = root.getBoundingClientRect();
  for (const el of root.querySelectorAll<HTMLElement>('[data-export-swatch]')) {
    const [x, y, w, h] = offset(el, base);
    const st = getComputedStyle(el);
    const stops = gradientStops(st.backgroundImage);
    ctx.globalAlpha = Number(getComputedStyle(el.closest('[data-key]') ?? el).opacity) || 1;
    if (stops.length > 1) {
      const g = ctx.createLinearGradient(x, 0, x + w, 0);
      stops.forEach((c, i) => g.addColorStop(i / (stops.length - 1), c));
      ctx.fillStyle = g;
    } else ctx.fillStyle = st.backgroundColor;
    ctx.fillRect(x, y, w, h);
  }
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const el of root.querySelectorAll<HTMLElement>('[data-export-text]')) {
    const text = el.textContent?.trim() ?? '';
    if (!text) continue;
    const [x, y, , h] = offset(el, base);
    const st = getComputedStyle(el);
    ctx.globalAlpha = Number(getComputedStyle(el.closest('[data-key]') ?? el).opacity) || 1;
    ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    ctx.fillStyle = st.color;
    ctx.fillText(text, x, y + h / 2);
  }
  ctx.globalAlpha = 1;
}

/** The panel as a PNG at the screen's resolution (its CSS size times the device pixel ratio). */
export function panelPng(parts: PanelParts, dpr: number): HTMLCanvasElement {
  const base = parts.root.getBoundingClientRect();
  const c = document.createElement('canvas');
  c.width = Math.round(base.width * dpr);
  c.height = Math.round(base.height * dpr);
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('this browser gives no 2D canvas to draw the download on; use its screenshot instead');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, base.width, base.height);
  const [ax, ay, aw, ah] = offset(parts.area, base);
  const [bx, by, bw, bh] = offset(parts.body, base);
  // The data, then the axes over them, as on screen (the overlay holds no hover: the pointer is on the toolbar).
  ctx.drawImage(parts.target, ax, ay, aw, ah);
  ctx.drawImage(parts.overlay, bx, by, bw, bh);
  paintHtml(ctx, parts.root);
  return c;
}

/** The panel as SVG: `paintAxes` draws the axes (the body's origin at 0, 0) as vector paths and text. */
export function panelSvg(parts: PanelParts, paintAxes: (ctx: Ctx) => void): string {
  const base = parts.root.getBoundingClientRect();
  const ctx = new Context(Math.round(base.width), Math.round(base.height)) as unknown as Ctx;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, base.width, base.height);
  const [ax, ay, aw, ah] = offset(parts.area, base);
  const [bx, by] = offset(parts.body, base);
  ctx.save();
  ctx.translate(bx, by);
  paintAxes(ctx);
  ctx.restore();
  ctx.drawImage(parts.target, ax, ay, aw, ah);
  paintHtml(ctx, parts.root);
  return (ctx as unknown as Context).getSerializedSvg(true);
}

/** Saves `blob` as `name` through the browser's download. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a plot's name: letters, digits, dot, dash and underscore. */
export function fileName(name: string, ext: string): string {
  return `${name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'plot'}.${ext}`;
}

/** The parts of each plot inside `root` (a facet grid's cells), found by the classes Plot.svelte gives them. */
export function plotParts(root: HTMLElement): PanelParts[] {
  const out: PanelParts[] = [];
  for (const plot of root.querySelectorAll<HTMLElement>('.plot')) {
    const body = plot.querySelector<HTMLElement>('.body');
    const area = plot.querySelector<HTMLElement>('.area');
    const target = plot.querySelector<HTMLCanvasElement>('canvas.target');
    const overlay = plot.querySelector<HTMLCanvasElement>('canvas.overlay');
    if (body && area && target && overlay) out.push({ root: plot, body, area, target, overlay });
  }
  return out;
}

/**
 * A facet grid as one PNG: each cell's plot composed as its own download would be, placed
 * where it is on screen, under the grid's title (`title`, painted from its element).
 */
export function gridPng(root: HTMLElement, title: HTMLElement | null, dpr: number): HTMLCanvasElement {
  const base = root.getBoundingClientRect();
  const c = document.createElement('canvas');
  c.width = Math.round(base.width * dpr);
  c.height = Math.round(base.height * dpr);
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('this browser gives no 2D canvas to draw the download on; use its screenshot instead');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  for (const parts of plotParts(root)) {
    const [x, y] = offset(parts.root, base);
    ctx.drawImage(panelPng(parts, dpr), Math.round(x * dpr), Math.round(y * dpr));
  }
  const text = title?.textContent?.trim();
  if (title && text) {
    const [x, y, , h] = offset(title, base);
    const st = getComputedStyle(title);
    ctx.scale(dpr, dpr);
    ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    ctx.fillStyle = st.color;
    ctx.textBaseline = 'middle';
    ctx.fillText(text, x + parseFloat(st.paddingLeft || '0'), y + h / 2);
  }
  return c;
}
