"""The `bands` reduction (checks/grammar.py): runs grouped, drawn as a mean and a band.

The runs are split by the values of their grouping attributes (the request's `group`
fields past `run`; no field: every run in one group). The x range is cut into `pixels`
columns; per run and column its rows' mean y (interpolated where a run logs more sparsely
than the columns), then per group and column across its runs that reach there: the mean,
the lowest and highest run, and the standard deviation. So runs logged at different steps
are aligned on x: a band is what the runs span where the plot can show it, whatever each
run's steps.

Sent as columns `run` (the group: "optimizer=adam", or "all runs"), x and y under the
request's field names (the column's middle, the mean), `y_min`, `y_max`, `y_std` and
`runs` (how many runs reach the column).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError

if TYPE_CHECKING:
    from streamvis.web.api_data import Reading

Floats = npt.NDArray[np.float64]

#: Columns per pixel when the request gives no `pixels`.
DEFAULT_COLUMNS = 1_000


def run_means(x: Floats, y: Floats, lo: float, hi: float, columns: int) -> Floats:
    """One run's mean y per x column of [lo, hi]: its rows' mean where it has rows there,
    interpolated between its columns on either side where it logged more sparsely than the
    columns, NaN outside its own x range."""
    ok = np.isfinite(x) & np.isfinite(y) & (x >= lo) & (x <= hi)
    scale = columns / (hi - lo) if hi > lo else 0.0
    idx = np.minimum(((x[ok] - lo) * scale).astype(np.int64), columns - 1)
    counts = np.bincount(idx, minlength=columns)
    sums = np.bincount(idx, y[ok], minlength=columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        means: Floats = sums / counts
    have = np.flatnonzero(counts)
    if have.size > 1 and have.size < have[-1] - have[0] + 1:
        # A run that logs every 6 steps has rows in one column of 3 at 2 columns per 6
        # steps; without this its gaps would drop it from the mean column by column.
        inside = np.arange(have[0], have[-1] + 1)
        means[inside] = np.interp(inside, have, means[have])
    return means


def group_stats(means: Floats) -> dict[str, Floats]:
    """Per column of `means` (runs by columns): mean, min, max, std over the runs with data,
    and how many runs that is."""
    have = np.isfinite(means)
    n = have.sum(axis=0)
    filled = np.where(have, means, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        var = np.where(have, (means - mean) ** 2, 0.0).sum(axis=0) / n
    low = np.where(have, means, np.inf).min(axis=0)
    high = np.where(have, means, -np.inf).max(axis=0)
    return {"y": mean, "y_min": low, "y_max": high, "y_std": np.sqrt(var),
            "runs": n.astype(np.float64)}


def bands(r: Reading) -> pa.Table:
    req = r.plan.request
    names = {f.name for f in r.plan.attributes}
    by = [g for g in req.group if g != "run"]
    fields = [g for g in by if g not in names]
    if fields:
        raise InvalidArgumentError(
            f"a band plot groups runs by run attributes; {', '.join(fields)} is a series "
            "field: bind an attribute to group (or nothing: all runs in one band)")
    if req.x is None or req.y is None:
        raise InvalidArgumentError('a band plot needs "x" and "y"')
    xs, ys, keys = [], [], []
    for run in r.runs:
        cols, start = r.snapshot.columns[run.handle], r.starts[run.handle]
        xs.append(np.asarray(cols[req.x].values[start:], np.float64))
        ys.append(np.asarray(cols[req.y].values[start:], np.float64))
        keys.append(" ".join(f"{g}={run.attributes.get(g)}" for g in by) or "all runs")
    finite = [x[np.isfinite(x)] for x in xs]
    finite = [x for x in finite if x.size]
    x_min, x_max = req.x_range
    lo = x_min if x_min is not None else min((float(x.min()) for x in finite), default=0.0)
    hi = x_max if x_max is not None else max((float(x.max()) for x in finite), default=0.0)
    columns = req.pixels or DEFAULT_COLUMNS
    centers: Floats = lo + (np.arange(columns, dtype=np.float64) + 0.5) * ((hi - lo) / columns)
    out: dict[str, list[Floats]] = {k: [] for k in ("x", "y", "y_min", "y_max", "y_std", "runs")}
    labels: list[str] = []
    for key in dict.fromkeys(keys):
        rows = [i for i, k in enumerate(keys) if k == key]
        stats = group_stats(np.stack([run_means(xs[i], ys[i], lo, hi, columns) for i in rows]))
        keep = stats["runs"] > 0
        out["x"].append(centers[keep])
        for name, values in stats.items():
            out[name].append(values[keep])
        labels += [key] * int(keep.sum())
    # x and the mean under the request's field names, as a line's rows are sent.
    named = {"x": req.x, "y": req.y}
    table = {"run": pa.array(labels, pa.string()).dictionary_encode()}
    for name, parts in out.items():
        table[named.get(name, name)] = pa.array(
            np.concatenate(parts) if parts else np.empty(0), pa.float64())
    metadata = {"reduced": "bands", "last_sequence": str(r.snapshot.bound)}
    return pa.Table.from_arrays(list(table.values()), names=list(table), metadata=metadata)
