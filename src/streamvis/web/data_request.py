"""The body of `POST /api/data`, parsed and checked against the schema.

Parsing (`parse_data_request`) needs no store and runs on the event loop; resolving
(`resolve`) looks the names up in the store's fields and series, on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streamvis.checks.grammar import GRAMMAR, RUN
from streamvis.checks.json_checks import (
    check_keys,
    expect_object,
    integer,
    number,
    parse_filter,
    string_list,
)
from streamvis.checks.reduce_settings import Binning, parse_aggregate, parse_binning
from streamvis.model import wallclock
from streamvis.model.errors import InvalidArgumentError, NotFoundError, ResourceExhaustedError
from streamvis.model.limits import MAX_PIXELS, MAX_TABLE_PAGE_ROWS
from streamvis.model.schema import Field, RunFilter, Series, validate_name
from streamvis.web.filters_json import coerce_filter
from streamvis.web.row_conditions import RowCondition, check_types, parse_where

_KEYS = frozenset({
    "filter", "series", "fields", "attributes", "kind", "x", "y", "group", "order",
    "x_min", "x_max", "y_min", "y_max", "pixels", "after_sequence", "max_points", "where",
    "t", "value", "category", "z", "bins", "bin_width", "bin_rule", "t_bins", "aggregate",
    "text", "expected", "u", "v", "sort", "descending", "offset", "limit", "per_run",
})
#: The roles a data request binds by name (the others are plain `fields`).
_ROLE_KEYS = ("x", "y", "order", "group", "t", "value", "category", "z", "text", "expected",
              "u", "v")


_NO_BINNING = Binning()


@dataclass(frozen=True)
class DataRequest:
    filter: RunFilter
    series: str
    fields: tuple[str, ...]
    attributes: tuple[str, ...]
    kind: str | None  # a plot kind of the grammar: it says how the rows are reduced
    x: str | None
    y: str | None
    group: tuple[str, ...]
    order: str | None
    x_range: tuple[float | None, float | None]
    y_range: tuple[float | None, float | None]
    pixels: int | None
    after_sequence: int
    max_points: int | None
    where: tuple[RowCondition, ...] = ()
    t: str | None = None
    value: str | None = None
    category: str | None = None
    #: How the aggregating kinds bin and aggregate (web/reduce_bins.py, reduce_cells.py).
    bins: Binning = _NO_BINNING
    aggregate: str = "count"
    #: The text kind's fields (web/reduce_rows.py).
    text: str | None = None
    expected: str | None = None
    #: A table's order and page (web/reduce_rows.py): sorted by `sort` (None: as stored).
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 100
    z: str | None = None  # the 3-D kinds' depth axis (web/reduce_3d.py)
    #: A quiver's arrow components (web/reduce_quiver.py).
    u: str | None = None
    v: str | None = None
    #: One row per run of attributes and summaries of the series (web/run_columns.py).
    per_run: bool = False


def _optional_name(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{key} must be a field name (a string)")
    return value


def _optional_number(body: dict[str, Any], key: str) -> float | None:
    return number(body[key], key) if body.get(key) is not None else None



def _flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{key} must be true or false")
    return value


def parse_data_request(raw: object) -> DataRequest:
    body = expect_object(raw, "the data request")
    check_keys(body, _KEYS, "the data request")
    series = body.get("series")
    if not isinstance(series, str):
        raise InvalidArgumentError('the data request needs "series": the name of a series')
    kind = body.get("kind")
    if kind is not None and not GRAMMAR.has_kind(kind):
        raise InvalidArgumentError(f"kind {kind!r} is not one of {GRAMMAR.kind_names()}")
    group = body.get("group") or []
    group = [group] if isinstance(group, str) else group
    req = DataRequest(
        filter=parse_filter(body.get("filter")),
        series=validate_name("series", series),
        fields=string_list(body.get("fields") or [], "fields"),
        attributes=string_list(body.get("attributes") or [], "attributes"),
        kind=kind,
        x=_optional_name(body, "x"),
        y=_optional_name(body, "y"),
        group=string_list(group, "group"),
        order=_optional_name(body, "order"),
        x_range=(_optional_number(body, "x_min"), _optional_number(body, "x_max")),
        y_range=(_optional_number(body, "y_min"), _optional_number(body, "y_max")),
        pixels=integer(body["pixels"], "pixels", 1) if body.get("pixels") is not None else None,
        after_sequence=integer(body.get("after_sequence") or 0, "after_sequence"),
        max_points=(
            integer(body["max_points"], "max_points", 1)
            if body.get("max_points") is not None else None
        ),
        where=parse_where(body.get("where")),
        t=_optional_name(body, "t"),
        value=_optional_name(body, "value"),
        category=_optional_name(body, "category"),
        bins=parse_binning(body),
        aggregate=parse_aggregate(body.get("aggregate")),
        text=_optional_name(body, "text"),
        expected=_optional_name(body, "expected"),
        sort=_optional_name(body, "sort"),
        descending=_flag(body, "descending"),
        offset=integer(body.get("offset") or 0, "offset"),
        limit=integer(body["limit"], "limit", 1) if body.get("limit") is not None else 100,
        z=_optional_name(body, "z"),
        u=_optional_name(body, "u"),
        v=_optional_name(body, "v"),
        per_run=_flag(body, "per_run"),
    )
    if req.limit > MAX_TABLE_PAGE_ROWS:
        raise ResourceExhaustedError(
            f"limit={req.limit} is more than {MAX_TABLE_PAGE_ROWS} rows in one page: ask for "
            'the next page with "offset"'
        )
    if req.pixels is not None and req.pixels > MAX_PIXELS:
        raise ResourceExhaustedError(
            f"pixels={req.pixels} is more than {MAX_PIXELS}: ask for at most one value per "
            "pixel column of the plot"
        )
    for lo, hi, axis in (*req.x_range, "x"), (*req.y_range, "y"):
        if lo is not None and hi is not None and lo > hi:
            raise InvalidArgumentError(f"{axis}_min={lo} is above {axis}_max={hi}")
    if kind is not None:
        needs = [r for r in GRAMMAR.kind(kind).required if r in _ROLE_KEYS]
        if any(body.get(r) is None for r in needs):
            named = " and ".join(f'"{r}"' for r in needs)
            raise InvalidArgumentError(f"a {kind} needs {named}: the fields bound to them")
    return req


def bound_roles(req: DataRequest) -> list[tuple[str, str]]:
    """The (role, field name) pairs a request binds by name, group keys included."""
    named = [(role, getattr(req, role)) for role in _ROLE_KEYS if role != "group"]
    return [(r, n) for r, n in named if n is not None] + [("group", g) for g in req.group]


@dataclass(frozen=True)
class Plan:
    """A request with every name resolved: what to read, what to send, how to reduce."""

    request: DataRequest
    filter: RunFilter
    series: Series
    read: tuple[Field, ...]  # series fields to read from the store
    output: tuple[str, ...]  # series fields to send, in order
    attributes: tuple[Field, ...]
    line_keys: tuple[str, ...]  # series fields that split a run into several lines


def resolve(req: DataRequest, fields: list[Field], series_list: list[Series]) -> Plan:
    """Check every name of `req` against the schema (blocking data, pure function)."""
    # `_time` and `_elapsed` are fields of every series (model/wallclock.py).
    by_name = {**wallclock.FIELDS, **{f.name: f for f in fields}}
    series = next((s for s in series_list if s.name == req.series), None)
    if series is None:
        raise NotFoundError(f"no series named {req.series!r}: see GET /api/series")
    in_series = {*series.fields, *wallclock.NAMES}
    output = list(req.fields or series.fields)
    for name in output:
        if name not in in_series:
            raise InvalidArgumentError(
                f"series {series.name!r} has no field {name!r}; its fields are "
                f"{', '.join(series.fields)}"
            )
    attributes = list(req.attributes)
    for name in attributes:
        if name not in by_name:
            raise NotFoundError(f"no field named {name!r} for an attribute: see GET /api/fields")

    def need(name: str, role: str) -> None:
        """Add a field that a role uses to what is read and sent."""
        types = GRAMMAR.role(role).types()
        if name == RUN and role == "group":  # every request's rows are split by run
            return
        f = by_name.get(name)
        if f is None:
            raise NotFoundError(f"{role} field {name!r} does not exist: see GET /api/fields")
        if f.type not in types:
            raise InvalidArgumentError(
                f"{role} field {name!r} is {f.type}; {role} takes {' or '.join(types)} fields"
            )
        if name in in_series:
            if name not in output:
                output.append(name)
        elif role == "group":
            if name not in attributes:
                attributes.append(name)
        else:
            raise InvalidArgumentError(
                f"{role} field {name!r} is not a field of series {series.name!r}; its "
                f"fields are {', '.join(series.fields)}"
            )

    for role, name in bound_roles(req):
        need(name, role)
    if req.sort is not None and req.sort not in (*output, RUN):
        raise InvalidArgumentError(
            f"sort: {req.sort!r} is not a column of the table; its columns are "
            f"{', '.join(('run', *output))}"
        )
    read = list(output)
    for c in req.where:
        if c.field not in in_series:
            raise InvalidArgumentError(
                f"where: {c.field!r} is not a field of series {series.name!r} (to keep some "
                f"runs, use the filter); its fields are {', '.join(series.fields)}"
            )
        if c.field not in read:
            read.append(c.field)
    check_types(req.where, {n: by_name[n].type for n in read})
    return Plan(
        request=req,
        filter=coerce_filter(req.filter, fields),
        series=series,
        read=tuple(by_name[n] for n in read),
        output=tuple(output),
        attributes=tuple(by_name[n] for n in attributes),
        line_keys=tuple(n for n in req.group if n in in_series),
    )
