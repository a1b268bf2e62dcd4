"""JSON in and out of the HTTP API: run filters, request fields, model objects.

Parsing is strict (the checks are in streamvis.checks.json_checks, shared with the gRPC
service): an unknown key or a value of the wrong JSON type is an InvalidArgumentError
(HTTP 400) naming the key.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from streamvis.checks.json_checks import parse_filter, parse_json
from streamvis.model.schema import (
    AttributeCondition,
    Field,
    Run,
    RunFilter,
    Series,
    Value,
)


def parse_filter_param(text: str | None) -> RunFilter:
    """The `filter` query parameter of a GET: URL-decoded JSON, or absent."""
    if text is None or not text.strip():
        return RunFilter()
    return parse_filter(parse_json(text, "the filter parameter", "a JSON object"))


def coerce_filter(run_filter: RunFilter, fields: Sequence[Field]) -> RunFilter:
    """Widen JSON integers compared with float attributes: 10 means 10.0 there.

    (A float attribute: one whose type's values are Python floats, by its row.)

    JSON has one number type, so `{"field": "lr", "equals": 1}` arrives as an int;
    the store compares typed values and would otherwise refuse or miss it.
    """
    floats = {f.name for f in fields if f.type.row.python is float}

    def widen(v: Value | None) -> Value | None:
        return float(v) if isinstance(v, int) and not isinstance(v, bool) else v

    def widened(c: AttributeCondition) -> AttributeCondition:
        if c.field not in floats:
            return c
        one_of = tuple(float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                       for v in c.one_of) if c.one_of is not None else None
        return AttributeCondition(c.field, equals=widen(c.equals), one_of=one_of,
                                  min=widen(c.min), max=widen(c.max))

    conditions = [widened(c) for c in run_filter.attributes]
    return RunFilter(
        handles=run_filter.handles, tags_any=run_filter.tags_any,
        tags_all=run_filter.tags_all, tags_none=run_filter.tags_none,
        attributes=tuple(conditions), started_after=run_filter.started_after,
        started_before=run_filter.started_before,
    )


# -- out -------------------------------------------------------------------------


def json_value(value: Value) -> Value | None:
    """A value JSON can carry: NaN and infinities become null (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def field_json(f: Field) -> dict[str, Any]:
    """A field as the HTTP API shows it: a string field's display `format`, a media
    field's `media` (kind, encoding, the media type its values are encoded as, ...)."""
    out: dict[str, Any] = {"handle": str(f.handle), "name": f.name, "type": f.type.value,
                           "description": f.description}
    row = f.type.row
    if "format" in row.options:
        out["format"] = f.options.format or "plain"
    if row.media:
        out["media"] = {"kind": row.media, "media_type": f.options.media_type,
                        **{k: v for k, v in f.options.to_json().items() if k != "format"}}
    return out


def series_json(s: Series) -> dict[str, Any]:
    """A series for the front end; "x" only when it names one (else its first int field)."""
    return {"name": s.name, "fields": list(s.fields), **({"x": s.x} if s.x else {})}


def run_json(r: Run) -> dict[str, Any]:
    return {
        "handle": str(r.handle), "started_at": r.started_at, "tags": list(r.tags),
        "attributes": {k: json_value(v) for k, v in sorted(r.attributes.items())},
    }


def name_list(text: str | None) -> tuple[str, ...]:
    """A comma-separated query parameter such as `fields=a,b`; empty means none."""
    if not text:
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())
