/**
 * The 3-D side of a plot (scatter3d, surface, mesh): its scene (camera3d.ts), the data box
 * fitted over every dataset with each axis linear or log (the spec's `scales`), the
 * gestures that move the camera, and the box's axes on the overlay. The controller holds
 * one of these for a kind whose painter has `space3`, and keeps its 2-D view fixed at the
 * normalized device coordinates the camera projects into.
 */
import type { PlotSpec } from '../api/types';
import type { View } from '../render/layers';
import { paintAxes3d } from './axes3d';
import { Bounds3, HOME, orbit, Scene3, zoom, type Camera } from './camera3d';
import type { DatasetState } from './dataset';

/** The 2-D view of a 3-D plot: the normalized device coordinates the camera projects into. */
export const NDC: View = { x0: -1, x1: 1, y0: -1, y1: 1, logX: false, logY: false };

/** Which of a 3-D plot's axes are log (`scales: {x: "log", z: "log"}`). */
export function logAxes3(spec: PlotSpec): [boolean, boolean, boolean] {
  const s = spec.scales;
  return [s?.x === 'log', s?.y === 'log', s?.z === 'log'];
}

export class Plot3d {
  readonly scene = new Scene3();
  private readonly log: [boolean, boolean, boolean];

  /** Hands the scene to every dataset's painter (they draw and hover with it). */
  constructor(
    spec: PlotSpec,
    private readonly datasets: DatasetState[],
  ) {
    this.log = logAxes3(spec);
    this.scene.bounds = new Bounds3(this.log);
    for (const ds of datasets) ds.painter.space3?.attach(ds, this.scene);
  }

  /** The box spans all the datasets' x, y and z (each axis scaled on its own). */
  fitBox(): void {
    const b = new Bounds3(this.log);
    for (const ds of this.datasets) ds.painter.space3?.extend(ds, b);
    this.scene.bounds = b;
    this.scene.rev++;
  }

  /** Sets the camera; the caller draws the data anew (cached pixels cannot be shifted into an orbit). */
  setCamera(camera: Camera): void {
    this.scene.camera = camera;
    this.scene.rev++;
  }

  /** The camera after a drag of (dx, dy) CSS pixels. */
  orbited(dx: number, dy: number): Camera {
    return orbit(this.scene.camera, dx, dy);
  }

  /** The camera after a wheel step that would widen a 2-D view by f (f > 1 moves the eye away). */
  zoomed(f: number): Camera {
    return zoom(this.scene.camera, 1 / f);
  }

  home(): Camera {
    return { ...HOME };
  }

  /** Follows the data area's width/height; true when it changed (the data are drawn anew). */
  fitAspect(w: number, h: number): boolean {
    if (this.scene.aspect === w / h) return false;
    this.scene.aspect = w / h;
    this.scene.rev++;
    return true;
  }

  /** The box's edges, ticks and axis titles ("(log)" after a log axis's). */
  paintAxes(ctx: CanvasRenderingContext2D, view: View, area: { left: number; top: number; w: number; h: number }): void {
    const req = (this.datasets.find((d) => d.request.z) ?? this.datasets[0])?.request; // a mesh's faces bind no axis
    const names = [req?.x ?? 'x', req?.y ?? 'y', req?.z ?? 'z'];
    const titles = names.map((n, i) => n + (this.log[i] ? ' (log)' : '')) as [string, string, string];
    paintAxes3d(ctx, this.scene, view, area, titles);
  }

  /** Where data point (x, y, z) lands in the box ([-1, 1]³), NaN off a log axis's domain. */
  toBox(x: number, y: number, z: number): [number, number, number] {
    const b = this.scene.bounds;
    const { scale, offset } = b.transform();
    return [b.toScale(0, x) * scale[0] + offset[0], b.toScale(1, y) * scale[1] + offset[1], b.toScale(2, z) * scale[2] + offset[2]];
  }
}
