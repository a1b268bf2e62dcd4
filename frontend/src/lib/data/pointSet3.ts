/**
 * The points of a 3-D scatter: a PointSet (x, y, run, color, size, so colors, sizes, legends
 * and hover labels work as for a 2-D scatter) plus each point's z.
 */
import type { DataBatch } from '../api/arrowData';
import { Column } from './column';
import { PointSet, type PointBindings } from './pointSet';

export class PointSet3 extends PointSet {
  z = new Column();

  constructor(
    bindings: PointBindings,
    readonly zName: string,
  ) {
    super(bindings);
  }

  override replace(batch: DataBatch): void {
    this.z.clear();
    super.replace(batch);
  }

  override append(batch: DataBatch): void {
    const xs = batch.columns.get(this.bindings.x);
    const ys = batch.columns.get(this.bindings.y);
    const zs = batch.columns.get(this.zName);
    // The same rows PointSet takes (x and y numeric), so the columns stay one length.
    if (!(xs instanceof Float64Array) || !(ys instanceof Float64Array)) return;
    if (zs instanceof Float64Array) this.z.append(zs);
    else for (let i = 0; i < batch.length; i++) this.z.push(NaN);
    super.append(batch);
  }

  override dropRun(run: string): boolean {
    const code = this.runNames.indexOf(run);
    if (code < 0) return false;
    const r = this.run.values();
    const old = this.z.values();
    const next = new Column(old.length);
    for (let i = 0; i < r.length; i++) if (r[i] !== code) next.push(old[i] as number);
    if (!super.dropRun(run)) return false;
    this.z = next;
    return true;
  }
}
