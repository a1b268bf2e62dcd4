"""What the aggregating reductions share: bin rules, bin edges, aggregates, parts.

The aggregating kinds (histogram, heatmap, bar, box; checks/grammar.py) send what the
rows add up to, not the rows. Bins are computed at query time from the values stored,
never stored pre-binned, so any bin count, width or rule can be asked for later. Each
rule and each aggregate is one row of a table keyed by its name (`BIN_RULES`,
`AGGREGATES`); a request names one (docs/http-api.md).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.errors import ResourceExhaustedError
from streamvis.model.limits import MAX_BINS
from streamvis.model.schema import Field, Run
from streamvis.web.columns import ColumnView
from streamvis.web.row_conditions import RowCondition, where_rows

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Values a rule looks at past which it looks at an even sample (a quantile of 100 M
#: values costs seconds; of a million, milliseconds, and the bin width barely moves).
_RULE_SAMPLE = 1_000_000


def _fd(values: Floats, span: float) -> int:
    """Freedman-Diaconis: width 2·IQR/n^(1/3); robust to outliers. Sturges if IQR is 0."""
    q1, q3 = np.percentile(values, [25, 75])
    width = 2.0 * float(q3 - q1) / values.size ** (1 / 3)
    return math.ceil(span / width) if width > 0 else _sturges(values, span)


def _sturges(values: Floats, _span: float) -> int:
    return math.ceil(math.log2(max(values.size, 1))) + 1


def _sqrt(values: Floats, _span: float) -> int:
    return math.ceil(math.sqrt(max(values.size, 1)))


#: Bin-count rules by name: (the values' sample, their span) → a count of bins.
BIN_RULES: dict[str, Callable[[Floats, float], int]] = {
    "fd": _fd,
    "sturges": _sturges,
    "sqrt": _sqrt,
}


@dataclass(frozen=True)
class Edges:
    """Equal-width bins: `count` of them from `low`, each `width` wide."""

    low: float
    width: float
    count: int

    def bounds(self) -> tuple[Floats, Floats]:
        lows = self.low + self.width * np.arange(self.count, dtype=np.float64)
        return lows, lows + self.width

    def index(self, values: npt.NDArray[Any]) -> Ints:
        """Each value's bin, or -1 outside (and for NaN); the top edge is in the last bin.

        Computed in the values' own float width (float32 stays float32: half the memory
        traffic; a value within float32 rounding of an edge may land either side).
        """
        if values.dtype.kind in "iub" and self.width == 1.0 and self.low % 1 == 0.5:
            # Whole-number bins a unit wide (one per step): an integer subtraction.
            out = values.astype(np.int64) - int(self.low + 0.5)
        else:
            dtype = values.dtype if values.dtype.kind == "f" else np.dtype(np.float64)
            scaled = (values.astype(dtype, copy=False) - dtype.type(self.low)) * dtype.type(
                1.0 / self.width)
            with np.errstate(invalid="ignore"):
                # +1 then truncation is floor + 1 for everything above -1; below, out anyway.
                out = (scaled + 1).astype(np.int64) - 1
                out[np.isnan(scaled)] = -1
            out[out == self.count] = self.count - 1  # the top edge itself
        out[(out < 0) | (out >= self.count)] = -1
        return out


def edges_for(sample: Floats, low: float, high: float, *, count: int | None,
              width: float | None, rule: str = "fd", what: str = "bins") -> Edges:
    """The bins over [low, high]: `count` of them, `width` wide, or as `rule` says."""
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        low = high = 0.0
    span = high - low
    if span == 0:  # one value: one bin around it, a unit wide
        return Edges(low - 0.5, 1.0, 1)
    if width is not None:
        n = math.floor(span / width) + 1  # [low, low + n·width) holds high
        if n > MAX_BINS:
            raise ResourceExhaustedError(
                f"bin_width={width} makes {n} {what} over [{low}, {high}], more than "
                f"{MAX_BINS}: give a wider bin_width, or narrow x_min/x_max")
        return Edges(low, width, max(n, 1))
    if count is None:
        if sample.size > _RULE_SAMPLE:
            sample = sample[:: sample.size // _RULE_SAMPLE]
        count = min(max(BIN_RULES[rule](sample, span), 1), MAX_BINS)
    return Edges(low, span / count, count)


def finite_extent(parts: list[npt.NDArray[Any]]) -> tuple[float, float]:
    lo, hi = math.inf, -math.inf
    for values in parts:
        if values.size == 0:
            continue
        if values.dtype.kind == "f":
            with np.errstate(invalid="ignore"):
                a, b = float(np.nanmin(values)), float(np.nanmax(values))
            if not (math.isfinite(a) and math.isfinite(b)):
                finite = values[np.isfinite(values)]
                if not finite.size:
                    continue
                a, b = float(finite.min()), float(finite.max())
        else:
            a, b = float(values.min()), float(values.max())
        lo, hi = min(lo, a), max(hi, b)
    return lo, hi


def _last(cells: Ints, values: Floats, n: int) -> Floats:
    """The value of each cell's last row (rows come in logging order)."""
    last = np.full(n, -1, np.int64)
    np.maximum.at(last, cells, np.arange(cells.size, dtype=np.int64))
    out = np.full(n, np.nan)
    has = last >= 0
    out[has] = values[last[has]]
    return out


def _extreme(ufunc: np.ufunc, start: float) -> Callable[[Ints, Floats, int], Floats]:
    def aggregate(cells: Ints, values: Floats, n: int) -> Floats:
        out = np.full(n, start)
        ufunc.at(out, cells, values)
        out[np.isinf(out) & (np.bincount(cells, minlength=n) == 0)] = np.nan
        return out
    return aggregate


def _mean(cells: Ints, values: Floats, n: int) -> Floats:
    count = np.bincount(cells, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(cells, values, minlength=n) / count


#: Aggregates by name: (each row's cell, each row's value, cells) → per cell. `count`
#: needs no value; empty cells are NaN (0 for count and sum).
AGGREGATES: dict[str, Callable[[Ints, Floats, int], Floats]] = {
    "count": lambda cells, _values, n: np.bincount(cells, minlength=n).astype(np.float64),
    "sum": lambda cells, values, n: np.asarray(np.bincount(cells, values, minlength=n),
                                               np.float64),
    "mean": _mean,
    "min": _extreme(np.minimum, math.inf),
    "max": _extreme(np.maximum, -math.inf),
    "last": _last,
}


@dataclass(frozen=True)
class Part:
    """The rows of one run (and one value of each split field) that a reduction adds up."""

    run: int  # index into the runs
    keys: tuple[Any, ...]  # the split fields' values
    rows: Ints  # row positions in the run's columns, ascending

    def take(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The part's rows of a column: a view, not a copy, when they are consecutive."""
        size = self.rows.size
        if size and int(self.rows[-1]) - int(self.rows[0]) + 1 == size:
            return values[int(self.rows[0]):int(self.rows[-1]) + 1]
        return values[self.rows]


def parts(runs: list[Run], columns: Mapping[uuid.UUID, Mapping[str, ColumnView]],
          starts: Mapping[uuid.UUID, int], where: tuple[RowCondition, ...],
          keys: tuple[str, ...]) -> list[Part]:
    """Each run's rows after its start that meet `where`, split by the `keys` fields."""
    out: list[Part] = []
    for i, run in enumerate(runs):
        cols, start = columns[run.handle], starts[run.handle]
        size = next(iter(cols.values())).values.size
        kept = where_rows(where, cols, start)
        rows = np.arange(start, size, dtype=np.int64) if kept is None else start + kept
        if not keys:
            if rows.size:
                out.append(Part(i, (), rows))
            continue
        split = [cols[k].values[rows] for k in keys]
        if not rows.size:
            continue
        uniques = [np.unique(v, return_inverse=True) for v in split]
        code = np.zeros(rows.size, np.int64)
        for u, inverse in uniques:
            code = code * len(u) + inverse.reshape(-1)
        order = np.argsort(code, kind="stable")
        bounds = np.flatnonzero(np.diff(code[order])) + 1
        for members in np.split(order, bounds):
            first = int(members[0])
            values = tuple(_python(cols[k], split[j][first]) for j, k in enumerate(keys))
            out.append(Part(i, values, rows[np.sort(members)]))
    return out


def _python(view: ColumnView, value: Any) -> Any:
    """A column's value as Python holds it (a label for a string code)."""
    if view.type.row.cache_codec == "labels":
        return view.labels[int(value)]
    return value.item() if hasattr(value, "item") else value


def part_columns(runs: list[Run], fields: Mapping[str, Field], split: list[Part],
                 repeats: list[int]) -> dict[str, pa.Array]:
    """The run column and each split field's column, each part's value `repeats` times."""
    counts = np.asarray(repeats, np.int64)
    index = pa.array(np.repeat(np.asarray([p.run for p in split], np.int32), counts),
                     pa.int32())
    handles = pa.array([str(r.handle) for r in runs], pa.string())
    arrays: dict[str, pa.Array] = {"run": pa.DictionaryArray.from_arrays(index, handles)}
    for j, name in enumerate(fields):
        values = [p.keys[j] for p in split]
        taken = np.repeat(np.arange(len(split), dtype=np.int64), counts)
        arrays[name] = pa.array(values, fields[name].type.arrow_type).take(pa.array(taken))
    return arrays
