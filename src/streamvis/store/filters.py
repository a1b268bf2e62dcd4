"""Run filters as SQL, and the typed attribute values they compare.

A `RunFilter` becomes one condition on the `runs` table, aliased `r`, built only
from the fixed fragments below; every value travels as a bound parameter. Each
part is an indexed lookup (tags by `run_tags (tag, run_id)`, attributes by the
partial `(field_id, v_<type>, run_id)` indexes, times by `runs (started_at)`), so
the database can start from the most selective one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.schema import (
    AttributeCondition,
    Field,
    FieldType,
    RunFilter,
    Value,
    coerce_value,
)
from streamvis.model.types import VALUE_COLUMNS
from streamvis.store.dialect import ident, marks

#: The position of each `run_attributes` value column in (v_int, v_float, v_str, v_bool);
#: a type's row names the column its values are stored in.
VALUE_INDEX = {column: i for i, column in enumerate(VALUE_COLUMNS)}


@dataclass(frozen=True)
class FieldRow:
    """A field with its row id, which the tables refer to."""

    id: int
    field: Field


def value_params(ftype: FieldType, value: Value) -> tuple[object, object, object, object]:
    """(v_int, v_float, v_str, v_bool) for a value already checked by `coerce_value`."""
    return params_at(VALUE_INDEX[ftype.row.value_column], value)


def params_at(column: int, value: Value) -> tuple[object, object, object, object]:
    """(v_int, v_float, v_str, v_bool) with `value` in the one at index `column`."""
    # SQLite cannot store NaN (it becomes NULL), so both backends store it as NULL;
    # NaN is the one value unequal to itself.
    if value != value:  # noqa: PLR0124
        return _NULLS
    return _PLACED[column](value)


_NULLS = (None, None, None, None)
#: A value in each of the four columns: a tuple made at once, a batch of runs makes
#: 20,000 of them (decision 0047).
_PLACED: tuple[Callable[[Value], tuple[object, object, object, object]], ...] = (
    lambda v: (v, None, None, None),
    lambda v: (None, v, None, None),
    lambda v: (None, None, v, None),
    lambda v: (None, None, None, v),
)


def value_from_row(ftype: FieldType, columns: Sequence[object]) -> Value:
    """The Python value of (v_int, v_float, v_str, v_bool) for a field of `ftype`."""
    row = ftype.row
    raw = columns[VALUE_INDEX[row.value_column]]
    # NULL is a stored NaN (see value_params); SQLite gives a bool as 0 or 1.
    return math.nan if raw is None else row.python(raw)


def value_sort_key(value: Value) -> tuple[int, Value]:
    """Order values ascending with NaN last (NaN compares false with everything)."""
    if isinstance(value, float) and math.isnan(value):
        return (1, 0.0)
    return (0, value)


def coerce_attributes(
    attributes: Mapping[str, object] | None, fields: Mapping[str, FieldRow]
) -> list[tuple[FieldRow, Value]]:
    """Check attribute values against their fields; `fields` holds those that exist."""
    if not attributes:
        return []
    if not isinstance(attributes, Mapping):
        raise InvalidArgumentError(
            f"attributes must be a mapping of field name to value, got {type(attributes).__name__}"
        )
    out = []
    for name, value in attributes.items():
        row = fields.get(name)
        if row is None:
            raise NotFoundError(
                f"attribute {name!r} names no field: create the field first "
                "(attribute names are field names)"
            )
        out.append((row, coerce_value(row.field, value)))
    return out


class BatchCoercer:
    """`coerce_attributes` and `value_params` for a batch of runs: each pair of a field
    and a Python type is checked by `coerce_value` once, then its values are taken as
    they are (an int still checked to fit 64 bits). Per value, the type look-ups cost a
    fifth of a 5,000-run batch's time (decision 0042)."""

    def __init__(self, fields: Mapping[str, FieldRow]) -> None:
        self.fields = fields
        #: (field name, type) -> (field id, value column, whether ints are range-checked)
        self._taken: dict[tuple[str, type], tuple[int, int, bool]] = {}

    def coerce(
        self, attributes: Mapping[str, object] | None,
    ) -> tuple[dict[str, Value], list[tuple[object, ...]]]:
        """A run's attribute values by name, in name order, and its run_attributes rows
        without the run's id: (field_id, v_int, v_float, v_str, v_bool)."""
        if not attributes or not isinstance(attributes, Mapping):
            pairs = coerce_attributes(attributes, self.fields)
            return (dict(sorted((r.field.name, v) for r, v in pairs)),
                    [(r.id, *value_params(r.field.type, v)) for r, v in pairs])
        values: dict[str, Value] = {}
        rows: list[tuple[object, ...]] = []
        for name, value in attributes.items():
            kind = type(value)
            taken = self._taken.get((name, kind))
            if taken is None or (taken[2] and not -(2**63) <= value < 2**63):  # type: ignore[operator]
                (row, v), = coerce_attributes({name: value}, self.fields)
                column = VALUE_INDEX[row.field.type.row.value_column]
                if type(v) is kind:  # taken as it is: the next of its kind needs no check
                    self._taken[(name, kind)] = (row.id, column, row.field.type.row.int64)
                values[name] = v
                rows.append((row.id, *params_at(column, v)))
                continue
            field_id, column, _ = taken
            values[name] = value  # type: ignore[assignment]
            rows.append((field_id, *params_at(column, value)))  # type: ignore[arg-type]
        return dict(sorted(values.items())), rows


@dataclass(frozen=True)
class IdSet:
    """A SELECT of run ids (`run_id`) with its parameters; `unique`: no id twice."""

    sql: str
    params: tuple[object, ...]
    unique: bool


@dataclass(frozen=True)
class Where:
    """A condition on `runs r` with its parameters, in placeholder order.

    `sets`, where not empty: the condition is exactly that a run's id is in each of
    these, so its matches can be counted from them alone (store/run_search.py), not by
    a look-up of each match in `runs`."""

    sql: str
    params: tuple[object, ...]
    sets: tuple[IdSet, ...] = ()

    def and_(self, sql: str, params: Sequence[object] = ()) -> Where:
        return Where(f"{self.sql} AND {sql}", (*self.params, *params))

    def and_in(self, ids: IdSet) -> Where:
        """This and the run's id in `ids`, its sets kept where it had them (or none)."""
        sets = (*self.sets, ids) if self.sets or self.sql == "1 = 1" else ()
        return Where(f"{self.sql} AND r.id IN ({ids.sql})", (*self.params, *ids.params), sets)


def filter_field_names(run_filter: RunFilter) -> list[str]:
    """The fields a filter's attribute conditions name (to look up before compiling)."""
    return [c.field for c in run_filter.attributes]


def compile_filter(run_filter: RunFilter, fields: Mapping[str, FieldRow]) -> Where:
    """The filter as a condition on `runs r`; `fields` holds the fields that exist."""
    f = run_filter
    parts: list[str] = []
    params: list[object] = []
    # The parts that are a membership in a set of ids: those sets.
    sets: list[IdSet] = []

    def member(ids: IdSet) -> None:
        parts.append(f"r.id IN ({ids.sql})")
        params.extend(ids.params)
        sets.append(ids)

    if f.handles is not None:
        if not f.handles:
            parts.append("1 = 0")
        else:
            parts.append(f"r.handle IN ({marks(len(f.handles))})")
            params.extend(f.handles)
    if f.tags_any:
        member(IdSet(f"SELECT run_id FROM run_tags WHERE tag IN ({marks(len(f.tags_any))})",
                     tuple(f.tags_any), unique=len(set(f.tags_any)) == 1))
    for tag in dict.fromkeys(f.tags_all):
        member(IdSet("SELECT run_id FROM run_tags WHERE tag = ?", (tag,), unique=True))
    if f.tags_none:
        parts.append(
            f"r.id NOT IN (SELECT run_id FROM run_tags WHERE tag IN ({marks(len(f.tags_none))}))"
        )
        params.extend(f.tags_none)
    for cond in f.attributes:
        ids = _attribute_condition(cond, fields)
        if ids is None:
            parts.append("1 = 0")
        else:
            member(ids)
    if f.started_after is not None:
        parts.append("r.started_at >= ?")
        params.append(_time(f.started_after, "started_after"))
    if f.started_before is not None:
        parts.append("r.started_at < ?")
        params.append(_time(f.started_before, "started_before"))
    # Parts that are not memberships (handles, tags_none, times) leave no sets to count.
    kept = tuple(sets) if len(sets) == len(parts) else ()
    return Where(" AND ".join(parts) or "1 = 1", tuple(params), kept)


def _attribute_condition(
    cond: AttributeCondition, fields: Mapping[str, FieldRow]
) -> IdSet | None:
    """The runs whose attribute meets `cond` (each once: a run has one value of a
    field, the table's key); None for none (an empty list of values)."""
    row = fields.get(cond.field)
    if row is None:
        raise NotFoundError(
            f"run filter has a condition on attribute {cond.field!r}, but no field "
            "of that name exists: check the name (attribute names are field names)"
        )
    column = ident(row.field.type.row.value_column)
    head = f"SELECT run_id FROM run_attributes WHERE field_id = ? AND {column}"
    params: list[object] = [row.id]

    def value(v: Value) -> object:
        return value_params(row.field.type, coerce_value(row.field, v))[VALUE_INDEX[column]]

    if cond.equals is not None:
        params.append(value(cond.equals))
        return IdSet(f"{head} = ?", tuple(params), unique=True)
    if cond.one_of is not None:
        if not cond.one_of:
            return None
        params.extend(value(v) for v in cond.one_of)
        return IdSet(f"{head} IN ({marks(len(cond.one_of))})", tuple(params), unique=True)
    ranges = []
    if cond.min is not None:
        ranges.append(f"{column} >= ?")
        params.append(value(cond.min))
    if cond.max is not None:
        ranges.append(f"{column} <= ?")
        params.append(value(cond.max))
    return IdSet(f"{head} IS NOT NULL AND {' AND '.join(ranges)}", tuple(params), unique=True)


def _time(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise InvalidArgumentError(
            f"run filter {name} must be a number of seconds since the epoch, got {value!r}"
        )
    return float(value)
