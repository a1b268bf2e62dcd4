"""Run filters written as text: the CLI's `--where` conditions and time bounds.

A condition is `FIELD=VALUE` (equals), `FIELD=V1,V2,...` (one of) or, for fields of a
numeric type, `FIELD=LO..HI` with either end left open (inclusive range). Values are
read in the field's own type (its row's `parse_text`), so `lr=1e-3` compares as a
float and `epochs=10` as an int.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.schema import (
    AttributeCondition,
    Field,
    RunFilter,
    Value,
    coerce_value,
)
from streamvis.model.types import NUMERIC, TextHintError


def parse_value(f: Field, text: str) -> Value:
    """Read `text` as a value of field `f`'s type."""
    try:
        return f.type.row.parse_text(text)
    except ValueError as exc:
        # A reader's TextHintError says what to write instead; Python's own messages do not.
        hint = f": {exc}" if isinstance(exc, TextHintError) else ""
        raise InvalidArgumentError(
            f"{text!r} is not a valid {f.type.value} for field {f.name!r}{hint}"
        ) from None


def parse_condition(text: str, fields: Mapping[str, Field]) -> AttributeCondition:
    name, sep, rhs = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise InvalidArgumentError(
            f"condition {text!r} is not FIELD=VALUE, FIELD=V1,V2 or FIELD=LO..HI"
        )
    f = fields.get(name)
    if f is None:
        raise NotFoundError(f"no field named {name!r}: see `streamvis fields`")
    if NUMERIC in f.type.row.traits and ".." in rhs:
        lo, _, hi = rhs.partition("..")
        return AttributeCondition(
            name,
            min=parse_value(f, lo) if lo.strip() else None,
            max=parse_value(f, hi) if hi.strip() else None,
        )
    if "," in rhs:
        return AttributeCondition(name, one_of=tuple(parse_value(f, v) for v in rhs.split(",")))
    return AttributeCondition(name, equals=parse_value(f, rhs))


def parse_time(text: str) -> float:
    """Seconds since the epoch from a number or an ISO date/time (naive means UTC)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidArgumentError(
            f"{text!r} is not a time: use an ISO date such as 2026-11-01 or "
            "2026-11-01T12:00, or seconds since the epoch"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def format_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def build_filter(
    fields: Sequence[Field],
    *,
    tags_any: Sequence[str] = (),
    tags_all: Sequence[str] = (),
    tags_none: Sequence[str] = (),
    where: Sequence[str] = (),
    started_after: str | None = None,
    started_before: str | None = None,
) -> RunFilter:
    by_name = {f.name: f for f in fields}
    conditions = tuple(parse_condition(w, by_name) for w in where)
    for c in conditions:
        for v in (c.equals, c.min, c.max, *(c.one_of or ())):
            if v is not None:
                coerce_value(by_name[c.field], v)
    return RunFilter(
        tags_any=tuple(tags_any), tags_all=tuple(tags_all), tags_none=tuple(tags_none),
        attributes=conditions,
        started_after=parse_time(started_after) if started_after else None,
        started_before=parse_time(started_before) if started_before else None,
    )
