/**
 * One plot: its datasets, its view, and drawing them through the shared GL context. The
 * Svelte component owns the DOM and forwards mouse gestures; everything here is plain
 * TypeScript so a plot's behaviour does not depend on component re-render timing.
 */
import type { LiveEvent, FieldInfo, PlotSpec } from '../api/types';
import type { LiveSubscriber } from '../api/events';
import type { AxesOverride } from '../layout/urlLayout';
import type { View } from '../render/layers';
import { SETTLE_MS } from '../render/frameCache';
import { Refetcher } from './refetch';
import { LegendRuns } from './legendRuns';
import { AxisPainters } from './dataPainter';
import type { RunLook } from './runLook';
import { PlotStyles, type Legend } from './styles';
import { sharedGl, type GlResources, type Registration, type Viewport } from '../render/sharedGl';
import { paintAxes, paintBox, paintClipMarks, paintCrosshair, paintMarker, type AxisOptions, type Margins } from './axes';
import type { RectSet } from '../data/rectSet';
import { paintSecondAxes } from './axes2';
import { axesOf, marginsFor, pairKey, panAxes, secondScales, viewFor, zoomAxes, type AxisId, type AxisPair } from './axisViews';
import { DatasetState } from './dataset';
import type { CrossRow, Nearest } from './hover';
import { findClipMarks, findCrosshair, type ClipMark } from './lineReadouts';
import { cssColor } from './palette';
import { looksLikeUnixSeconds } from './ticks';
import { fitView, type Extent } from './viewState';
import { robustRange, sortedSample, type YRangeMode } from './robustRange';
import { dataExtent, panelDomains, useSharedDomains, type Placed } from './panelScales';
import type { SharedChange, SharedScales } from './sharedScales';
import { applyLiveEvent, catchUp, runsOf } from './liveUpdates';
import type { Camera, Scene3 } from './camera3d';
import { NDC, Plot3d } from './plot3d';

export interface PlotElements {
  area: HTMLElement;
  target: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
}

function scalesOf(spec: PlotSpec, axes: AxesOverride | null): { logX: boolean; logY: boolean } {
  if (axes !== null) return { logX: axes === 'xlog' || axes === 'loglog', logY: axes === 'ylog' || axes === 'loglog' };
  return { logX: spec.scales?.x === 'log', logY: spec.scales?.y === 'log' };
}

export type { Legend, LegendEntry } from './styles';

/** The color field's value at a hovered point: a line's own, or a scatter point's. */
function colorValueOf(ds: DatasetState, h: Nearest): [string, number | string] | null {
  const f = ds.colorField;
  if (f === null || f === 'run') return null;
  if (h.line) return h.line.colorValue === null ? null : [f, h.line.colorValue];
  const pts = ds.points;
  if (!pts || h.index < 0 || h.index >= pts.length) return null;
  const v = pts.color.get(h.index);
  return [f, pts.colorCategorical ? (pts.colorNames[v] ?? String(v)) : v];
}

export class PlotController implements LiveSubscriber {
  readonly datasets: DatasetState[] = [];
  /** The plot kind of the spec (the server's grammar); each dataset draws with its painter. */
  readonly kind: string;
  /** The main axes (x at the bottom, y at the left). */
  view: View;
  /** The second axes of a hybrid plot: its x range is x2's (top), its y range y2's (right). */
  second: View;
  readonly hasX2: boolean;
  readonly hasY2: boolean;
  readonly margins: Margins;
  /** Following the data (true until the user pans or zooms; double-click returns to it). */
  auto = true;
  hover: Nearest | null = null;
  /** The hovered point's color field and value ("lr", 0.003), for the read-out; null without a color field. */
  hoverColorValue: [string, number | string] | null = null;
  /** Every line's value at the pointer's x (a vertical crosshair), sorted; null off the plot or without lines. */
  crosshair: { px: number; x: number; rows: CrossRow[] } | null = null;
  private hoverColor = '#fff';
  /** The pointer in the data area, null when it is not over it: the hover is its nearest point. */
  private pointer: [number, number] | null = null;
  /** What the hover was found with; when the views, the area's size or the data move on, it is found again. */
  private hoverBasis: { view: View; second: View; w: number; h: number } | null = null;
  private hoverDataStale = false;
  box: [number, number, number, number] | null = null;
  /** Width and height of the whole plot in CSS pixels. */
  w = 0;
  h = 0;
  dpr = 1;
  problem: string | null = null;
  private reg: Registration | null = null;
  private el: PlotElements | null = null;
  private listeners = new Set<() => void>();
  private readonly refetcher = new Refetcher(this);
  private readonly legendRuns = new LegendRuns();
  firstFullRenderAt: number | null = null;
  /** Called once, at the first render with every dataset loaded (the workspace's panel order). */
  onFirstRender: (() => void) | null = null;
  /** The x tick labels last drawn (2-D kinds): what a reader sees on the x axis. */
  xTickLabels: string[] = [];
  readonly styles: PlotStyles;
  private readonly painters: AxisPainters;
  private dataDirty = true;
  private interactingUntil = 0;
  private nextDataDrawAt = 0;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private leaveShared: (() => void) | null = null;
  private readonly leaveLook: (() => void) | null;
  /** A 3-D kind's scene, camera gestures and box axes (its painter has `space3`); null for the 2-D kinds. */
  readonly plot3: Plot3d | null = null;

  /** A 3-D kind's camera and data box; null for the 2-D kinds. */
  get scene(): Scene3 | null {
    return this.plot3?.scene ?? null;
  }

  /** `shared`: the scales of the facet grid this plot is a panel of; null for a plot alone. */
  constructor(
    readonly spec: PlotSpec,
    axes: AxesOverride | null,
    readonly fields: Map<string, FieldInfo>,
    readonly shared: SharedScales | null = null,
    runLook: RunLook | null = null,
  ) {
    this.kind = spec.kind;
    this.styles = new PlotStyles(spec.palette, runLook);
    // A shared look changed (a run hovered in the workspace's run list): draw the data again.
    this.leaveLook = runLook?.subscribe(() => this.restyle()) ?? null;
    this.painters = new AxisPainters(this.styles);
    const { logX, logY } = scalesOf(spec, axes);
    this.view = { x0: 0, x1: 1, y0: 0, y1: 1, logX, logY };
    this.second = { x0: 0, x1: 1, y0: 0, y1: 1, ...secondScales(spec) };
    const pairs = spec.datasets.map(axesOf);
    this.hasX2 = pairs.some((p) => p.x === 'x2');
    this.hasY2 = pairs.some((p) => p.y === 'y2');
    this.margins = marginsFor(this.hasX2, this.hasY2);
    const host = {
      kind: this.kind,
      frame: spec.frame?.value ?? 'latest',
      reduce: spec.reduce,
      view: spec.view,
      smooth: spec.smooth,
      contour: { levels: spec.levels, filled: spec.filled },
      palette: spec.palette,
      fields,
      pixels: () => Math.max(100, Math.round((this.w - this.margins.left - this.margins.right) * this.dpr)),
      changed: () => this.dataChanged(),
    };
    for (const ds of spec.datasets) {
      try {
        this.datasets.push(new DatasetState(ds, host));
      } catch (e) {
        this.problem = e instanceof Error ? e.message : String(e);
      }
    }
    if (spec.datasets.length === 0) this.problem = 'this plot has no datasets';
    if (this.datasets.some((ds) => ds.painter.space3)) {
      this.plot3 = new Plot3d(spec, this.datasets);
      this.view = { ...NDC };
    }
    if (shared) {
      this.leaveShared = shared.join(this, (c) => this.sharedChanged(c));
      // Panels that loaded before this one already set the grid's ranges.
      useSharedDomains(this.placed(), shared.union);
      this.fit();
    }
  }

  attach(el: PlotElements): void {
    this.el = el;
    this.reg = sharedGl().add({ area: el.area, target: el.target, render: (res, vp, dpr, ctx2d) => this.render(res, vp, dpr, ctx2d) });
  }

  start(): void {
    for (const ds of this.datasets) void ds.load();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }

  /** Redraw on the next frame. */
  invalidate(): void {
    this.reg?.invalidate();
  }

  resize(w: number, h: number, dpr: number): void {
    this.w = w;
    this.h = h;
    this.dpr = dpr;
    const el = this.el;
    if (!el) return;
    const aw = Math.max(0, w - this.margins.left - this.margins.right);
    const ah = Math.max(0, h - this.margins.top - this.margins.bottom);
    const [tw, th, ow, oh] = [aw, ah, w, h].map((v) => Math.round(v * dpr)) as [number, number, number, number];
    // The same size again (a resize observer's first call, a layout pass that moved nothing):
    // setting a canvas's size clears it, and redrawing a workspace's panels for nothing is
    // most of what opening one costs on a software renderer.
    if (el.target.width === tw && el.target.height === th && el.overlay.width === ow && el.overlay.height === oh) return;
    el.target.width = tw;
    el.target.height = th;
    el.overlay.width = ow;
    el.overlay.height = oh;
    this.dataDirty = true;
    this.invalidate();
  }

  get areaW(): number {
    return Math.max(1, this.w - this.margins.left - this.margins.right);
  }

  get areaH(): number {
    return Math.max(1, this.h - this.margins.top - this.margins.bottom);
  }

  private dataChanged(): void {
    this.dataDirty = true;
    this.hoverDataStale = true;
    if (this.shared) {
      this.shared.report(this, panelDomains(this.placed(), this.spec.datasets.length));
      useSharedDomains(this.placed(), this.shared.union);
    }
    if (this.auto) this.fit();
    this.plot3?.fitBox();
    this.invalidate();
    this.notify();
  }

  /** A camera move: the data are drawn anew at once (cached pixels cannot be shifted into an orbit). */
  private moveCamera(plot3: Plot3d, camera: Camera): void {
    plot3.setCamera(camera);
    // A new view object (same range) tells the hover its points moved.
    this.view = { ...NDC };
    this.invalidateData();
  }

  axesOf(ds: DatasetState): AxisPair {
    return axesOf(ds.spec);
  }

  /** The view dataset `ds` is drawn in. */
  viewOf(ds: DatasetState): View {
    return viewFor(this.view, this.second, this.axesOf(ds));
  }

  /** Each dataset with its axes, their view and its index in the spec. */
  private placed(): Placed[] {
    return this.datasets.map((ds) => ({ ds, pair: this.axesOf(ds), view: this.viewOf(ds), slot: this.spec.datasets.indexOf(ds.spec) }));
  }

  /** The extent of everything held on the main axes (`second` false) or the second ones, in scale space. */
  extent(second = false): Extent {
    return dataExtent(this.placed(), second);
  }

  /** The auto range: this plot's data, or in a facet grid every panel's. */
  private fit(): void {
    if (this.scene) {
      this.view = { ...NDC };
      return;
    }
    const u = this.shared?.union;
    this.view = fitView(u ? u.main : this.robustExtent(this.extent(false)), this.view.logX, this.view.logY);
    this.second = fitView(u ? u.second : this.extent(true), this.second.logX, this.second.logY);
  }

  /** The y range asked for (PlotSpec.y_range): robust trims spikes off the extent's y (robustRange.ts). */
  get yRangeMode(): YRangeMode {
    const m = this.spec.y_range;
    return m === 'robust' || m === 'full' ? m : 'auto';
  }

  /** The extent with its y range robust when the mode (and, for auto, the data) ask for it; lines and points only. */
  private robustExtent(e: Extent): Extent {
    this.yClipped = false;
    if (this.yRangeMode === 'full' || !Number.isFinite(e.y0)) return e;
    const cols: ArrayLike<number>[] = [];
    // Stems, areas and bars stand on zero, which their range must keep: lines and points only.
    if (this.datasets.some((ds) => this.axesOf(ds).y === 'y' && ds.painter.id !== 'line' && ds.painter.id !== 'scatter')) return e;
    for (const ds of this.datasets) {
      if (this.axesOf(ds).y !== 'y') continue;
      if (ds.lines) for (const l of ds.lines.lines.values()) cols.push(l.y.values());
      else if (ds.points) cols.push(ds.points.y.values());
    }
    const r = robustRange(this.yRangeMode, sortedSample(cols, this.view.logY ? Math.log10 : undefined), e.y0, e.y1);
    if (!r) return e;
    this.yClipped = r[1] < e.y1 || r[0] > e.y0;
    return { ...e, y0: r[0], y1: r[1] };
  }

  /** Whether the followed y range leaves values out (they are marked at the edge). */
  yClipped = false;
  /** Where values run past the top or bottom of the data area: x in CSS pixels, the line's color. */
  clipMarks: ClipMark[] = [];

  /** Another panel of the grid widened (or, leaving, narrowed) the shared scales. */
  private sharedChanged(c: SharedChange): void {
    if (!this.shared) return;
    if (c.styles) {
      useSharedDomains(this.placed(), this.shared.union);
      this.dataDirty = true;
    }
    if (c.axes && this.auto) this.fit();
    this.invalidate();
    this.notify();
  }

  /** Pans by a pixel delta: every axis, or only `axis` (a drag that starts on that axis). */
  panBy(dx: number, dy: number, axis: AxisId | null = null): void {
    if (this.plot3) return this.moveCamera(this.plot3, this.plot3.orbited(dx, dy));
    const [main, second] = panAxes(this.view, this.second, dx, dy, axis, this.areaW, this.areaH);
    this.second = second;
    this.setView(main);
  }

  /** Zooms around (px, py) by f: every axis, or only `axis` (the wheel over that axis). */
  zoomBy(px: number, py: number, f: number, axis: AxisId | null = null): void {
    // f > 1 widens a 2-D view (zooms out): the eye moves away by as much.
    if (this.plot3) return this.moveCamera(this.plot3, this.plot3.zoomed(f));
    const [main, second] = zoomAxes(this.view, this.second, px, py, f, axis, this.areaW, this.areaH);
    this.second = second;
    this.setView(main);
  }

  /** Draw the data again on the next frame even if nothing changed (benchmarks, palette edits). */
  invalidateData(): void {
    this.dataDirty = true;
    this.interactingUntil = 0;
    this.nextDataDrawAt = 0;
    this.invalidate();
  }

  /** A view from a gesture: until it pauses, frames shift cached pixels instead of redrawing. */
  setView(v: View): void {
    if (this.scene) return; // a box zoom has no meaning in an orbit
    this.view = v;
    this.auto = false;
    this.interactingUntil = performance.now() + SETTLE_MS;
    this.invalidate();
    this.refetcher.schedule();
  }

  resetView(): void {
    if (this.plot3) return this.moveCamera(this.plot3, this.plot3.home());
    this.auto = true;
    this.fit();
    this.invalidate();
    this.refetcher.schedule();
  }

  /**
   * Draws the plot: the data through the frame cache (drawn anew only when the data changed or
   * the view left what the cache holds, and never in the middle of a gesture), then the axes.
   */
  private render(res: GlResources, vp: Viewport, dpr: number, ctx2d?: CanvasRenderingContext2D): boolean {
    if (this.datasets.length > 0 && this.datasets.every((d) => !d.loaded)) {
      // Nothing to draw before the first answer: the axes only. A workspace mounts a row of
      // panels at once, and their empty frames' GL work and copies took the CPU the first
      // answers' decoding needed (~150 ms of a cold open on a software renderer).
      this.paintOverlay();
      return false;
    }
    const gl = res.gl;
    const now = performance.now();
    const interacting = now < this.interactingUntil;
    if (this.plot3?.fitAspect(this.areaW, this.areaH)) this.dataDirty = true;
    const groups = this.painters.groups(this.datasets, (ds) => pairKey(this.axesOf(ds)), (ds) => this.viewOf(ds));
    const viewShown = groups.every((g) => g.painter.cache.shows(g.view, res.generation));
    const cached = groups.every((g) => g.painter.cache.view !== null);
    const current = !this.dataDirty && viewShown;
    // New data while the view holds still wait until at least twice the last draw's time has
    // passed since it ended, so a fast live stream cannot keep a slow machine drawing.
    const throttled = this.dataDirty && viewShown && now < this.nextDataDrawAt;
    if (!current && cached && (interacting || throttled)) {
      // Show the cached pixels (shifted or stretched mid-gesture); draw properly soon.
      if (this.settleTimer === null) {
        const at = Math.max(interacting ? this.interactingUntil : 0, throttled ? this.nextDataDrawAt : 0);
        this.settleTimer = setTimeout(() => {
          this.settleTimer = null;
          this.invalidate();
        }, at - now + 5);
      }
    } else if (!current) {
      const t0 = performance.now();
      for (const g of groups) {
        if (this.dataDirty || !g.painter.cache.shows(g.view, res.generation)) g.painter.draw(res, g.datasets, g.view, this.areaW, this.areaH, dpr);
      }
      this.dataDirty = false;
      if (this.auto && this.yClipped) this.clipMarks = findClipMarks(this.datasets, this.view, this.areaW, this.styles, (ds) => this.axesOf(ds));
      else this.clipMarks = [];
      if (this.firstFullRenderAt === null && this.datasets.length > 0 && this.datasets.every((d) => d.loaded)) {
        // Benchmarks time the first render to the pixels, not to the last GL call issued.
        if (window.__streamvisBench) sharedGl().finish();
        this.firstFullRenderAt = performance.now();
        const drawn = this.onFirstRender;
        this.onFirstRender = null;
        drawn?.();
      }
      const t1 = performance.now();
      this.nextDataDrawAt = t1 + 2 * (t1 - t0);
      if (!ctx2d) {
        gl.viewport(vp.x, vp.y, vp.w, vp.h);
        gl.enable(gl.SCISSOR_TEST);
        gl.scissor(vp.x, vp.y, vp.w, vp.h);
      }
    }
    if (ctx2d) {
      for (const g of groups) g.painter.cache.blit2d(ctx2d, g.view, vp.w, vp.h);
    } else {
      gl.enable(gl.BLEND);
      gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      for (const g of groups) g.painter.cache.blit(gl, res.generation, g.view);
    }
    if (this.hoverOutdated()) {
      // A zoom, pan, reset, resize or new data moved the points under a pointer that held still.
      this.findHover();
      this.notify();
    }
    this.paintOverlay();
    return true;
  }

  private paintOverlay(): void {
    const c = this.el?.overlay;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const m = this.margins;
    this.paintAxesTo(ctx);
    if (!this.scene && this.clipMarks.length > 0) paintClipMarks(ctx, this.clipMarks, m.left, m.top, m.top + this.areaH);
    if (!this.scene && this.crosshair) paintCrosshair(ctx, m.left + this.crosshair.px, m.top, m.top + this.areaH);
    if (this.hover) paintMarker(ctx, m.left + this.hover.px, m.top + this.hover.py, this.hoverColor);
    if (this.box) {
      const [ax, ay, bx, by] = this.box;
      paintBox(ctx, m.left + ax, m.top + ay, m.left + bx, m.top + by);
    }
  }

  /** The axes (both pairs of a hybrid plot; a 3-D plot's box), the plot body's top-left at (0, 0): the overlay and the SVG download. */
  paintAxesTo(ctx: CanvasRenderingContext2D): void {
    const m = this.margins;
    if (this.plot3) {
      ctx.clearRect(0, 0, this.w, this.h);
      this.plot3.paintAxes(ctx, this.view, { left: m.left, top: m.top, w: this.areaW, h: this.areaH });
    } else this.xTickLabels = paintAxes(ctx, this.w, this.h, this.view, this.axisOptions(), m);
    if (this.hasX2 || this.hasY2) {
      const titles = (axis: 'x2' | 'y2'): string => {
        const on = this.datasets.filter((d) => (axis === 'x2' ? this.axesOf(d).x === 'x2' : this.axesOf(d).y === 'y2'));
        return [...new Set(on.map((d) => (axis === 'x2' ? d.axisNames().x : d.axisNames().y)))].join(', ');
      };
      paintSecondAxes(ctx, this.w, this.h, m, this.second, { x2: this.hasX2 ? titles('x2') : null, y2: this.hasY2 ? titles('y2') : null });
    }
  }

  axisOptions(): AxisOptions {
    const onMain = this.datasets.filter((d) => this.axesOf(d).x === 'x');
    const first = onMain[0] ?? this.datasets[0];
    const xField = first ? first.axisNames().x : '';
    const yFields = [...new Set(this.datasets.filter((d) => this.axesOf(d).y === 'y').map((d) => d.axisNames().y))];
    const x0 = this.view.logX ? 10 ** this.view.x0 : this.view.x0;
    const x1 = this.view.logX ? 10 ** this.view.x1 : this.view.x1;
    return {
      xTitle: xField + (this.view.logX ? ' (log)' : ''),
      yTitle: yFields.join(', ') + (this.view.logY ? ' (log)' : ''),
      xTime: !this.view.logX && looksLikeUnixSeconds(x0, x1, xField, this.fields.get(xField)?.type),
      yTime: false,
      xLabels: this.categoryLabels((r) => r.xLabels),
      yLabels: this.categoryLabels((r) => r.yLabels),
    };
  }

  /** The category tick labels the datasets' bars, boxes or cells carry, merged. */
  private categoryLabels(of: (r: RectSet) => Map<number, string>): Map<number, string> | undefined {
    const out = new Map<number, string>();
    for (const d of this.datasets) if (d.rects) for (const [k, v] of of(d.rects)) out.set(k, v);
    return out.size ? out : undefined;
  }

  /** Updates the hover readout for a cursor at (px, py) in the data area; null clears it. */
  hoverAt(px: number | null, py: number | null): void {
    this.pointer = px !== null && py !== null ? [px, py] : null;
    this.findHover();
    this.invalidate();
    this.notify();
  }

  private hoverOutdated(): boolean {
    const b = this.hoverBasis;
    if (this.pointer === null || b === null) return false;
    return this.hoverDataStale || b.view !== this.view || b.second !== this.second || b.w !== this.areaW || b.h !== this.areaH;
  }

  /** The point nearest the pointer in the current views (views are replaced, never changed in place). */
  private findHover(): void {
    let best: Nearest | null = null;
    let color = '#fff';
    let hoverDs: DatasetState | null = null;
    this.hoverBasis = { view: this.view, second: this.second, w: this.areaW, h: this.areaH };
    this.hoverDataStale = false;
    if (this.pointer !== null) {
      const [px, py] = this.pointer;
      for (const ds of this.datasets) {
        const before: Nearest | null = best;
        const v = this.viewOf(ds);
        best = ds.painter.nearest(ds, v, this.areaW, this.areaH, px, py, best);
        if (best !== before) hoverDs = ds;
        if (best !== before && best?.line) color = cssColor(this.styles.lineColor(ds, best.line));
      }
      if (best && best.dist2 > 40 * 40) best = null;
    }
    this.hover = best;
    this.hoverColor = color;
    this.hoverColorValue = best && hoverDs ? colorValueOf(hoverDs, best) : null;
    this.crosshair =
      this.pointer === null || this.plot3 ? null : findCrosshair(this.datasets, this.view, this.areaW, this.pointer[0], this.styles, new Set(this.runsShown()), (ds) => this.axesOf(ds));
  }

  event(ev: LiveEvent): void {
    applyLiveEvent(this.datasets, ev);
  }

  open(reconnected: boolean): void {
    catchUp(this.datasets, reconnected);
  }

  legend(): Legend {
    const runs = this.runsShown();
    this.legendRuns.label(runs, (labels) => {
      this.styles.runLabels = labels;
      this.notify();
    });
    return this.styles.legend(this.datasets, new Set(runs));
  }

  /** Legend click: hides (or shows again) the lines of an entry. */
  toggleEntry(key: string): void {
    if (!this.styles.hidden.delete(key)) this.styles.hidden.add(key);
    this.invalidateData();
    this.notify();
  }

  /** Legend hover: the entry's lines stand out, the others fade; null ends it. */
  highlightEntry(key: string | null): void {
    if (this.styles.highlight === key) return;
    this.styles.highlight = key;
    this.invalidateData();
  }

  /** Colors changed, not data: the same data drawn again. */
  restyle(): void {
    this.dataDirty = true;
    this.invalidate();
    this.notify();
  }

  runsShown(): string[] {
    return runsOf(this.datasets);
  }

  dispose(): void {
    this.refetcher.cancel();
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    for (const ds of this.datasets) ds.dispose();
    this.leaveShared?.();
    this.leaveShared = null;
    this.leaveLook?.();
    this.reg?.remove();
    this.painters.dispose(sharedGl().gl);
    this.listeners.clear();
  }
}
