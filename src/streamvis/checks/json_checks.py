"""Checking JSON input strictly: shapes, numbers, and run filters in their JSON form.

An unknown key or a value of the wrong JSON type is an InvalidArgumentError naming
the key, because a typo that silently matched every run would show the wrong data
with no hint why. The HTTP API (streamvis.web) and the plot specs that both the web
app and the gRPC service store (streamvis.checks.plot_specs) read their JSON through these.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_JSON_DEPTH
from streamvis.model.schema import AttributeCondition, RunFilter, Value, parse_handle

_FILTER_KEYS = frozenset({
    "handles", "tags_any", "tags_all", "tags_none", "attributes", "started_after",
    "started_before",
})
_CONDITION_KEYS = frozenset({"field", "equals", "in", "min", "max"})
_FLOAT_MAX = 1.7976931348623157e308
# A \uD800-\uDFFF escape: half of a UTF-16 pair, checked for its other half after parsing.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# A JSON string (skipped whole: brackets inside it do not nest) or one bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def parse_json(text: str | bytes, what: str, expected: str = "a JSON value") -> Any:
    """Parse JSON input, refusing (INVALID_ARGUMENT) what is not JSON or nests deeper
    than MAX_JSON_DEPTH.

    The depth is measured before parsing: the stdlib parser recurses once per level and
    would raise RecursionError (a 500) near 1,000 levels, and everything downstream
    (checks, json.dumps, orjson's 255-level limit) assumes shallow values.
    """
    if _too_deep(text):
        raise InvalidArgumentError(
            f"{what} nests arrays and objects more than {MAX_JSON_DEPTH} levels deep, the "
            f"limit (MAX_JSON_DEPTH): send {expected} with less nesting"
        )
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgumentError(f"{what} is not valid JSON ({exc}): send {expected}") from None
    if _SURROGATE_ESCAPE.search(text if isinstance(text, str) else text.decode("ascii", "replace")):
        # JSON may escape half of a UTF-16 pair alone ("\ud800"); Python then holds a string
        # that no database or encoder takes, which would fail deep in a query (a 500).
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgumentError(
                f"{what} holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is "
                f"not a character: send {expected} of valid Unicode text"
            ) from None
    return value


def _too_deep(text: str | bytes) -> bool:
    """Whether arrays and objects in `text` nest deeper than MAX_JSON_DEPTH."""
    if isinstance(text, bytes):  # brackets, quotes and backslashes are ASCII
        text = text.decode("utf-8", "replace")
    depth = 0
    for match in _TOKENS.finditer(text):
        part = match.group()
        if part in "[{":  # a string never is: it has its quotes
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif part in "]}":
            depth -= 1
    return False


def expect_object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidArgumentError(f"{what} must be a JSON object, got {_kind(value)}")
    return value


def check_keys(obj: Mapping[str, object], allowed: frozenset[str], what: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise InvalidArgumentError(
            f"{what} has unknown key(s) {', '.join(map(repr, unknown))}; the keys are "
            f"{', '.join(sorted(allowed))}"
        )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def string_list(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidArgumentError(f"{what} must be an array of strings, got {_kind(value)}")
    return tuple(value)


def number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(f"{what} must be a number, got {_kind(value)}")
    # Compared first: an integer past 1.8e308 would overflow float() and isfinite().
    if abs(value) > _FLOAT_MAX or not math.isfinite(value):
        raise InvalidArgumentError(f"{what} must be a finite number")
    return float(value)


def integer(value: object, what: str, minimum: int = 0) -> int:
    # is_integer() rather than int(value) == value: int() raises on NaN and infinity.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{what} must be an integer, got {_kind(value)}")
    if value < minimum:
        raise InvalidArgumentError(f"{what} must be at least {minimum}, got {value}")
    return value


def scalar(value: object, what: str) -> Value:
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise InvalidArgumentError(f"{what} is NaN, which matches nothing: give a number")
        return value
    raise InvalidArgumentError(f"{what} must be a number, string or boolean, got {_kind(value)}")


def _condition(raw: object, i: int) -> AttributeCondition:
    what = f"filter.attributes[{i}]"
    obj = expect_object(raw, what)
    check_keys(obj, _CONDITION_KEYS, what)
    name = obj.get("field")
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"{what} needs \"field\": the attribute's field name")
    equals = scalar(obj["equals"], f"{what}.equals") if "equals" in obj else None
    one_of = None
    if "in" in obj:
        if not isinstance(obj["in"], list) or not obj["in"]:
            raise InvalidArgumentError(f"{what}.in must be a non-empty array of values")
        one_of = tuple(scalar(v, f"{what}.in") for v in obj["in"])
    lo = scalar(obj["min"], f"{what}.min") if obj.get("min") is not None else None
    hi = scalar(obj["max"], f"{what}.max") if obj.get("max") is not None else None
    return AttributeCondition(name, equals=equals, one_of=one_of, min=lo, max=hi)


def parse_filter(raw: object) -> RunFilter:
    """A RunFilter from its JSON form (docs/http-api.md); None or {} matches every run."""
    if raw is None:
        return RunFilter()
    obj = expect_object(raw, "filter")
    check_keys(obj, _FILTER_KEYS, "filter")
    handles = None
    if obj.get("handles") is not None:
        handles = tuple(parse_handle(h) for h in string_list(obj["handles"], "filter.handles"))
    conditions = obj.get("attributes") or []
    if not isinstance(conditions, list):
        raise InvalidArgumentError("filter.attributes must be an array of conditions")
    return RunFilter(
        handles=handles,
        tags_any=string_list(obj.get("tags_any") or [], "filter.tags_any"),
        tags_all=string_list(obj.get("tags_all") or [], "filter.tags_all"),
        tags_none=string_list(obj.get("tags_none") or [], "filter.tags_none"),
        attributes=tuple(_condition(c, i) for i, c in enumerate(conditions)),
        started_after=(
            number(obj["started_after"], "filter.started_after")
            if obj.get("started_after") is not None else None
        ),
        started_before=(
            number(obj["started_before"], "filter.started_before")
            if obj.get("started_before") is not None else None
        ),
    )
