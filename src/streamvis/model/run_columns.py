"""The rule of a per-run table: one row per run, its columns run attributes and
summaries of one series' numeric fields.

The web app (`POST /api/data` with `"per_run": true`, web/run_columns.py) and the data
API (`Client.run_table` in client.py, under `Connection.run_table`) both build the table
here, from the runs and their summaries (model/run_summaries.py), so the two give the
same columns and values for the same request. The columns (docs/http-api.md, "Per-run
datasets"):

- `attr.NAME`: the run's attribute NAME, in its field's type (runs without it are left
  out, so the table stays rectangular);
- `last.F`, `min.F`, `max.F`: the last, lowest and highest value of the series' numeric
  field F (float, NaN where every value was NaN);
- `rows`: the run's row count in the series; `run`: its handle (always first).

Runs with no rows in the series are left out: they have nothing to summarize. Rows come
in the runs' started order (then by handle).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.run_summaries import SeriesSummary
from streamvis.model.schema import Field, Run, Series
from streamvis.model.types import NUMERIC, TYPES

#: The summary statistics a column may name, before the dot: `min.loss`.
STATS = ("last", "min", "max")
ATTR = "attr"
ROWS = "rows"
#: The handle column every per-run table starts with.
RUN = "run"


@dataclass(frozen=True)
class RunColumn:
    """One column of a per-run table: its name, the field type it has and where it comes
    from (an attribute, a statistic of a series field, or the row count)."""

    name: str
    type: str
    source: str  # "attr", a statistic of STATS, or "rows"
    field: str  # the attribute's or series field's name ("" for rows)


def numeric_fields(series: Series, fields: Mapping[str, Field]) -> list[str]:
    """The series' numeric fields, in its order: those a statistic may summarize."""
    return [n for n in series.fields if n in fields and NUMERIC in fields[n].type.row.traits]


def run_column(name: str, series: Series, fields: Mapping[str, Field]) -> RunColumn:
    """The column `name` stands for in a per-run table of `series`; raises saying what
    names exist when it is none."""
    if name == ROWS:
        return RunColumn(name, "int", ROWS, "")
    source, dot, field = name.partition(".")
    if not dot or source not in (ATTR, *STATS):
        raise InvalidArgumentError(
            f"{name!r} is not a column of a per-run dataset: name attr.NAME (an attribute), "
            f"last.F, min.F or max.F (a numeric field F of series {series.name!r}) or rows"
        )
    f = fields.get(field)
    if source == ATTR:
        if f is None:
            raise NotFoundError(f"{name!r}: no field named {field!r} for an attribute: see "
                                "GET /api/fields (or `streamvis fields`)")
        return RunColumn(name, str(f.type), ATTR, field)
    numeric = numeric_fields(series, fields)
    if field not in numeric:
        raise InvalidArgumentError(
            f"{name!r}: {field!r} is not a numeric field of series {series.name!r}; its "
            f"numeric fields are {', '.join(numeric) or 'none'}"
        )
    return RunColumn(name, "float", source, field)


def column_names(series: Series, fields: Mapping[str, Field],
                 wanted: Sequence[str] | None, attributes: Sequence[str]) -> list[str]:
    """The column names a data API request stands for, in order, each once: `wanted`
    names columns (`min.loss`, `rows`, `attr.lr`) or numeric fields of the series (`loss`:
    its last, min and max; `run` is always first); None: rows and every numeric field's
    three. `attributes` are attribute names, `lr` or `attr.lr`."""
    names: list[str] = []
    numeric = numeric_fields(series, fields)
    for name in [ROWS, *numeric] if wanted is None else wanted:
        if name == RUN:  # always the first column
            continue
        if "." in name or name == ROWS:
            names.append(name)
        elif name in numeric:
            names += [f"{stat}.{name}" for stat in STATS]
        else:
            raise InvalidArgumentError(
                f"{name!r} is not a numeric field of series {series.name!r} (its numeric "
                f"fields are {', '.join(numeric) or 'none'}) nor a per-run column: name "
                "one, or a column last.F, min.F, max.F, rows or attr.NAME"
            )
    names += [a if a.startswith(ATTR + ".") else f"{ATTR}.{a}" for a in attributes]
    return list(dict.fromkeys(names))


def summarized(columns: Iterable[RunColumn]) -> list[str]:
    """The series fields whose summaries the columns need, sorted."""
    return sorted({c.field for c in columns if c.source in STATS})


def _value(col: RunColumn, summary: SeriesSummary) -> float | int:
    if col.source == ROWS:
        return summary.rows
    got = getattr(summary.fields[col.field], col.source)
    return math.nan if got is None else float(got)


def build_run_table(columns: Sequence[RunColumn], runs: Iterable[Run],
                    summaries: Iterable[SeriesSummary]) -> pa.Table:
    """The per-run table of `columns` from the matching runs and their summaries of the
    series (of the fields `summarized(columns)` names): a run lacking an attribute
    column, or without rows, is left out."""
    attrs = [c for c in columns if c.source == ATTR]
    by_handle: dict[uuid.UUID, Run] = {
        r.handle: r for r in runs if all(c.field in r.attributes for c in attrs)}
    found = [s for s in summaries if s.run in by_handle and s.rows > 0]
    found.sort(key=lambda s: (by_handle[s.run].started_at, str(s.run)))
    arrays: dict[str, pa.Array] = {RUN: pa.array([str(s.run) for s in found], pa.string())}
    for col in columns:
        if col.source == ATTR:
            arrays[col.name] = pa.array([by_handle[s.run].attributes[col.field] for s in found],
                                        TYPES.type(col.type).arrow_type)
        elif col.source == ROWS:
            arrays[col.name] = pa.array([s.rows for s in found], pa.int64())
        else:
            arrays[col.name] = pa.array([_value(col, s) for s in found], pa.float64())
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays))
