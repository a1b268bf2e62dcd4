"""Run selections as `RunFilter`s: the keyword filters of `Connection.runs` and the
`runs=` argument that `fetch` and the metadata calls take."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from streamvis.checks.filter_text import parse_time
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import AttributeCondition, Run, RunFilter, Value, parse_handle

TimeArg = dt.datetime | dt.date | str | float | int | np.datetime64
AttributeSpec = (
    Value
    | tuple[Value | None, Value | None]
    | list[Value]
    | set[Value]
    | frozenset[Value]
    | AttributeCondition
)
HandlesArg = Run | uuid.UUID | str | Iterable[Run | uuid.UUID | str]
RunsArg = RunFilter | HandlesArg | None

# A filter that matches no run. On the wire an empty handle list means "any run",
# so an empty selection travels as a tag that a run must both have and not have.
_NO_RUN_TAG = "streamvis.no-run"
NO_RUNS = RunFilter(tags_all=(_NO_RUN_TAG,), tags_none=(_NO_RUN_TAG,))


def resolved(runs: RunsArg, resolve: Callable[[str], uuid.UUID]) -> RunsArg:
    """`runs` with each handle string replaced by the whole handle `resolve` gives for it
    (a unique prefix names its run); anything else is left for the checks after."""
    if isinstance(runs, str):
        return resolve(runs)
    if isinstance(runs, Iterable) and not isinstance(runs, RunFilter | bytes | Mapping | Run):
        return [resolve(item) if isinstance(item, str) else item for item in runs]
    return runs


def handles_of(runs: HandlesArg) -> tuple[uuid.UUID, ...]:
    """The distinct run handles in `runs` (runs, UUIDs or handle strings), in order."""
    items: Iterable[object]
    if isinstance(runs, Run | uuid.UUID | str):
        items = (runs,)
    elif isinstance(runs, Iterable) and not isinstance(runs, RunFilter | bytes | Mapping):
        items = runs
    else:
        raise InvalidArgumentError(
            f"runs must be runs, run handles or a RunFilter, got {type(runs).__name__}"
        )
    out: dict[uuid.UUID, None] = {}
    for item in items:
        if isinstance(item, Run):
            out[item.handle] = None
        elif isinstance(item, uuid.UUID):
            out[item] = None
        elif isinstance(item, str):
            out[parse_handle(item)] = None
        else:
            raise InvalidArgumentError(
                f"{item!r} is not a run or a run handle: give Run objects, UUIDs or "
                "handle strings"
            )
    return tuple(out)


def runs_filter(runs: RunsArg) -> RunFilter:
    """The filter for a `runs=` argument: None (every run), a RunFilter, or runs or
    handles (an empty list matches no run)."""
    if runs is None:
        return RunFilter()
    if isinstance(runs, RunFilter):
        return NO_RUNS if runs.handles == () else runs
    handles = handles_of(runs)
    return RunFilter(handles=handles) if handles else NO_RUNS


def build_filter(
    *,
    tags_any: str | Iterable[str] = (),
    tags_all: str | Iterable[str] = (),
    tags_none: str | Iterable[str] = (),
    attributes: Mapping[str, AttributeSpec] | None = None,
    started_after: TimeArg | None = None,
    started_before: TimeArg | None = None,
    handles: HandlesArg | None = None,
) -> RunFilter:
    """The RunFilter that `Connection.runs`'s keyword arguments describe."""
    if attributes is not None and not isinstance(attributes, Mapping):
        raise InvalidArgumentError(
            "attributes must be a dict of field name to a value, a (lo, hi) range or a "
            f"list of values, got {type(attributes).__name__}"
        )
    conditions = tuple(condition(name, spec) for name, spec in (attributes or {}).items())
    selected = None if handles is None else handles_of(handles)
    if selected == () or any(c.one_of == () for c in conditions):
        return NO_RUNS
    return RunFilter(
        handles=selected,
        tags_any=_tags(tags_any, "tags_any"),
        tags_all=_tags(tags_all, "tags_all"),
        tags_none=_tags(tags_none, "tags_none"),
        attributes=conditions,
        started_after=None if started_after is None else seconds(started_after, "started_after"),
        started_before=(
            None if started_before is None else seconds(started_before, "started_before")
        ),
    )


def _tags(tags: str | Iterable[str], what: str) -> tuple[str, ...]:
    items = (tags,) if isinstance(tags, str) else tuple(tags)
    for tag in items:
        if not isinstance(tag, str):
            raise InvalidArgumentError(f"{what} must be tag names (strings), got {tag!r}")
    return items


def seconds(when: TimeArg, what: str) -> float:
    """Seconds since the epoch from a datetime or date (naive means UTC), an ISO
    string, a numpy datetime64 or a number of seconds."""
    if isinstance(when, bool):
        raise InvalidArgumentError(f"{what} must be a time, got {when!r}")
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return when.timestamp()
    if isinstance(when, dt.date):
        return dt.datetime.combine(when, dt.time(), tzinfo=dt.UTC).timestamp()
    if isinstance(when, str):
        try:
            return parse_time(when)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"{what}: {exc}") from None
    if isinstance(when, np.datetime64):
        if np.isnat(when):
            raise InvalidArgumentError(f"{what} is NaT: give a time")
        return float(when.astype("datetime64[ns]").astype(np.int64)) / 1e9
    if isinstance(when, int | float | np.integer | np.floating) and not math.isnan(when):
        return float(when)
    raise InvalidArgumentError(
        f"{what} must be a datetime, an ISO date such as '2026-11-01' or seconds since "
        f"the epoch, got {when!r}"
    )


def _value(name: str, value: object) -> Value:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str):
        return value
    raise InvalidArgumentError(
        f"condition on attribute {name!r}: {value!r} is not an int, float, string or bool"
    )


def condition(name: str, spec: object) -> AttributeCondition:
    """One `attributes=` entry: a value (equals), a (lo, hi) tuple (inclusive range,
    None for an open end), a list or set (one of), or an AttributeCondition."""
    if not isinstance(name, str):
        raise InvalidArgumentError(f"attribute names are field names (strings), got {name!r}")
    if isinstance(spec, AttributeCondition):
        if spec.field != name:
            raise InvalidArgumentError(
                f"attributes[{name!r}] holds a condition on {spec.field!r}: use the same name"
            )
        return spec
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise InvalidArgumentError(
                f"condition on attribute {name!r}: a range is a (lo, hi) tuple, got "
                f"{len(spec)} values; give a list or set to match one of several values"
            )
        lo, hi = spec
        if lo is None and hi is None:
            raise InvalidArgumentError(
                f"condition on attribute {name!r}: the range (None, None) has no end; "
                "give lo, hi or both"
            )
        return AttributeCondition(
            name,
            min=None if lo is None else _value(name, lo),
            max=None if hi is None else _value(name, hi),
        )
    if isinstance(spec, list | set | frozenset):
        return AttributeCondition(name, one_of=tuple(_value(name, v) for v in spec))
    if spec is None:
        raise InvalidArgumentError(
            f"condition on attribute {name!r} is None: give a value, a (lo, hi) range or a "
            "list of values"
        )
    return AttributeCondition(name, equals=_value(name, spec))
