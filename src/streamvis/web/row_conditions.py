"""Row conditions of a data request (`where`): keep the rows of one facet or one frame.

A facet panel shows the rows whose facet field has one value; a frame shows the rows
whose frame field has one value, or each run's latest (largest) value, which is how a
plot of "the current step" of a per-step vector reads. Both are conditions on series
fields, checked per run on the cached columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from streamvis.checks.json_checks import check_keys, expect_object, scalar
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import FieldType, Value
from streamvis.model.types import NUMERIC
from streamvis.web.columns import ColumnView

Rows = npt.NDArray[np.int64]
_KEYS = frozenset({"field", "equals", "latest"})
#: More distinct values than this are sampled evenly for a slider or a facet list.
MAX_VALUES = 2_000


@dataclass(frozen=True)
class RowCondition:
    field: str
    equals: Value | None = None  # the rows with this value
    latest: bool = False  # the rows with the run's largest value


def parse_where(raw: object) -> tuple[RowCondition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidArgumentError('"where" must be an array of {"field", "equals"|"latest"}')
    out = []
    for i, item in enumerate(raw):
        what = f"where[{i}]"
        obj = expect_object(item, what)
        check_keys(obj, _KEYS, what)
        name = obj.get("field")
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f'{what} needs "field": the name of a series field')
        latest = obj.get("latest", False)
        if not isinstance(latest, bool):
            raise InvalidArgumentError(f"{what}.latest must be true or false")
        if latest == ("equals" in obj):
            raise InvalidArgumentError(f'{what} needs exactly one of "equals" and "latest": true')
        equals = scalar(obj["equals"], f"{what}.equals") if "equals" in obj else None
        out.append(RowCondition(name, equals, latest))
    return tuple(out)


def check_types(conditions: tuple[RowCondition, ...], types: Mapping[str, FieldType]) -> None:
    for c in conditions:
        t = types[c.field]
        if c.latest and NUMERIC not in t.row.traits:
            raise InvalidArgumentError(
                f"where: latest needs a number field; {c.field!r} is {t.value}"
            )


def _mask(view: ColumnView, c: RowCondition, start: int) -> npt.NDArray[np.bool_]:
    values = view.values[start:]
    if c.latest:
        # Compared in the column's own dtype: int64 values past 2**53 differ as floats.
        whole = view.values
        finite = whole[np.isfinite(whole)] if whole.dtype.kind == "f" else whole
        if not finite.size:
            return np.zeros(values.size, bool)
        return np.asarray(values == finite.max(), bool)
    if view.type.row.cache_codec == "labels":
        if c.equals not in view.labels:
            return np.zeros(values.size, bool)
        return np.asarray(values == view.labels.index(str(c.equals)), bool)
    return np.asarray(values == c.equals, bool)


def where_rows(
    conditions: tuple[RowCondition, ...], columns: Mapping[str, ColumnView], start: int
) -> Rows | None:
    """Positions (from `start`) of the rows that meet every condition; None: all rows."""
    if not conditions:
        return None
    mask = np.ones(columns[conditions[0].field].values.size - start, bool)
    for c in conditions:
        mask &= _mask(columns[c.field], c, start)
    return np.flatnonzero(mask).astype(np.int64)


def distinct(views: list[ColumnView]) -> tuple[list[Value], list[int], bool]:
    """The distinct values of one field over several runs' columns, with row counts.

    Returns (values ascending, counts, truncated); past MAX_VALUES the values are an
    even sample, so a slider still spans the whole range.
    """
    if not views:
        return [], [], False
    if views[0].type.row.cache_codec != "labels":
        return distinct_numbers([v.values for v in views])
    counts: dict[str, int] = {}
    for v in views:
        codes, n = np.unique(v.values, return_counts=True)
        for code, k in zip(codes.tolist(), n.tolist(), strict=True):
            label = v.labels[code]
            counts[label] = counts.get(label, 0) + k
    keys = sorted(counts)
    return _sampled(list(keys), [counts[k] for k in keys])


def distinct_numbers(arrays: list[npt.NDArray[Any]]) -> tuple[list[Value], list[int], bool]:
    """`distinct` of a numeric field given its values (not a column view)."""
    if not arrays:
        return [], [], False
    uniq, n = np.unique(np.concatenate(arrays), return_counts=True)
    if uniq.dtype.kind == "f":  # NaN and infinities are no values to pick
        keep = np.isfinite(uniq)
        uniq, n = uniq[keep], n[keep]
    return _sampled(uniq.tolist(), n.tolist())


def _sampled(values: list[Value], tallies: list[int]) -> tuple[list[Value], list[int], bool]:
    if len(values) <= MAX_VALUES:
        return values, tallies, False
    picks = np.unique(np.linspace(0, len(values) - 1, MAX_VALUES).round().astype(np.int64))
    return [values[i] for i in picks], [tallies[i] for i in picks], True
