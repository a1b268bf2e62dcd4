"""The data model: fields, series, runs, run filters, and the rules they obey.

Everything logged is typed by user-declared fields and is rectangular: a write to a
series gives one value for every field of it, all of one length. These two rules are
what let any plot be decided after the data was logged.
"""

from __future__ import annotations

import functools
import math
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamvis.model import types as _types
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_NAME_LENGTH, MIN_HANDLE_PREFIX
from streamvis.model.media import NO_OPTIONS, FieldOptions

if TYPE_CHECKING:
    import pyarrow as pa

# The type registry (types.py) owns these; they are named here too, beside the model.
FieldType = _types.FieldType
Value = _types.Value

def validate_name(kind: str, name: str) -> str:
    """Return `name` if it is a valid name for a `kind` (field, series, tag, ...).

    Names are shown in tables, legends and URLs, so they must be printable and
    unambiguous: non-empty, at most 128 characters, no control characters and no
    leading or trailing whitespace.
    """
    if not isinstance(name, str):
        raise InvalidArgumentError(f"{kind} name must be a string, got {type(name).__name__}")
    return _checked_name(kind, name)


@functools.lru_cache(maxsize=4096)
def _checked_name(kind: str, name: str) -> str:
    """validate_name's checks of a string, remembered: a batch of runs names the same
    few tags thousands of times, and the per-character check was a tenth of its cost."""
    if not name:
        raise InvalidArgumentError(f"{kind} name is empty: give a non-empty name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidArgumentError(
            f"{kind} name {name[:40]!r}... is {len(name)} characters long: "
            f"use at most {MAX_NAME_LENGTH}"
        )
    if name != name.strip():
        raise InvalidArgumentError(
            f"{kind} name {name!r} has leading or trailing whitespace: remove it"
        )
    for ch in name:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            raise InvalidArgumentError(
                f"{kind} name {name!r} contains the control character {ch!r}: remove it"
            )
    return name


def parse_handle(text: str, kind: str = "run") -> uuid.UUID:
    """Parse a UUID handle, with an error that says what was wrong."""
    try:
        return uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        raise InvalidArgumentError(
            f"{kind} handle {text!r} is not a UUID: give one like "
            "'123e4567-e89b-12d3-a456-426614174000'"
        ) from None


_HEX = frozenset("0123456789abcdef")


def handle_prefix_bounds(text: str) -> tuple[uuid.UUID, uuid.UUID]:
    """The lowest and highest UUID a run handle or handle prefix stands for (the same
    UUID for a whole handle). A prefix is at least MIN_HANDLE_PREFIX hex digits, dashes
    ignored, so the store can look it up as a range of its handle index."""
    if not isinstance(text, str):
        raise InvalidArgumentError(f"run handle must be a string, got {type(text).__name__}")
    try:
        whole = uuid.UUID(text)
    except ValueError:
        pass
    else:
        return whole, whole
    digits = text.strip().replace("-", "").lower()
    if not MIN_HANDLE_PREFIX <= len(digits) < 32 or not set(digits) <= _HEX:
        raise InvalidArgumentError(
            f"run handle {text!r} is neither a UUID nor a prefix of one: give the whole "
            f"handle or at least its first {MIN_HANDLE_PREFIX} hex digits"
        )
    pad = 32 - len(digits)
    return uuid.UUID(digits + "0" * pad), uuid.UUID(digits + "f" * pad)


@dataclass(frozen=True)
class Field:
    """A named, typed column. The type and options never change; name and description
    may. `options` are the type's (model/media.py: a string's format, a media encoding)."""

    handle: uuid.UUID
    name: str
    type: FieldType
    description: str = ""
    options: FieldOptions = NO_OPTIONS


@dataclass(frozen=True)
class NewField:
    """One field of a batch to create (`Store.create_fields`, `Client.create_fields`):
    what `create_field` takes, as one value; `type` a FieldType or its name."""

    name: str
    type: FieldType | str
    description: str = ""
    options: FieldOptions | Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Series:
    """A named, immutable set of fields (names, in declaration order), and optionally
    the field it is drawn against (`x`, a numeric field of it; None: the first int
    field, as before a series could name one)."""

    name: str
    fields: tuple[str, ...]
    x: str | None = None

    def is_declared_by(self, fields: Sequence[str], x: str | None = None) -> bool:
        """Whether declaring a series of this name with `fields` and `x` declares this one.

        The same fields in any order do, with the same x: every write names each field,
        so the order only sets the column order of what is read back, but x chooses
        what a line is summarized and drawn against. The one rule for `create` over
        gRPC, `streamvis create-series`, `apply` and `declare_schema`.
        """
        return set(fields) == set(self.fields) and x == self.x


def check_series_x(name: str, fields: Sequence[str], x: str | None) -> str | None:
    """`x` if it may be the x of series `name` with `fields` (by name; its type is the
    store's to check, see `check_x_type`), else InvalidArgumentError. "" is no x."""
    if x is None or x == "":
        return None
    if not isinstance(x, str):
        raise InvalidArgumentError(
            f"x of series {name!r} must be a field name, got {type(x).__name__}"
        )
    if x not in fields:
        raise InvalidArgumentError(
            f"x {x!r} of series {name!r} is not one of its fields "
            f"({', '.join(fields)}): name one of them, or add {x!r} to the series"
        )
    return x


def describe_x(x: str | None) -> str:
    """A series' x in a message: "x t", or "no x" (its first int field)."""
    return "no x (drawn against its first int field)" if x is None else f"x {x!r}"


def can_be_x(ftype: FieldType) -> bool:
    """Whether a field of `ftype` may be a series' x: a line is drawn against numbers
    (the type registry's `numeric` trait: int and float)."""
    return _types.NUMERIC in ftype.row.traits


def x_types() -> str:
    """The types an x may have, for messages: "int or float"."""
    return " or ".join(t.value for t in _types.TYPES.ordered_with_trait(_types.NUMERIC))


def check_x_type(series: str, f: Field) -> None:
    """Refuse a field that cannot be a series' x (`can_be_x`)."""
    if not can_be_x(f.type):
        raise InvalidArgumentError(
            f"x {f.name!r} of series {series!r} is a {f.type.value} field: a series is "
            f"drawn against a number, so name an {x_types()} field (a step, a time)"
        )


@dataclass(frozen=True)
class Run:
    """Everything one logging process writes."""

    handle: uuid.UUID
    started_at: float  # seconds since the Unix epoch, UTC
    tags: tuple[str, ...] = ()  # sorted
    attributes: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class NewRun:
    """One run of a batch to create (`Store.create_runs`, `Client.create_runs`): what
    `create_run` takes, as one value. No handle: the server makes one; no started_at:
    now."""

    handle: uuid.UUID | None = None
    tags: Sequence[str] = ()
    attributes: Mapping[str, object] | None = None
    started_at: float | None = None


@dataclass(frozen=True)
class RunPage:
    """One page of a run listing, newest first (`Store.list_runs_page`).

    `next` is the opaque token that asks for the page after this one ("" on the last);
    `total` counts every match, given on the first page only (None on later ones).
    """

    runs: list[Run]
    next: str = ""
    total: int | None = None


@dataclass(frozen=True)
class RunFacets:
    """What the run search's filter panel shows beside its controls (store/run_search.py)."""

    tags: list[tuple[str, int]]
    #: field name → (value, count) pairs in value order; None: too many values to list.
    counts: dict[str, list[tuple[Value, int]] | None] = field(default_factory=dict)
    #: numeric field name → its distinct values ascending (a pick when there are more).
    values: dict[str, list[Value]] = field(default_factory=dict)


@dataclass(frozen=True)
class RunJsonPage:
    """One page of a run listing as JSON text, one object per run (`RunPage`'s order,
    token and count)."""

    runs: list[str]
    next: str = ""
    total: int | None = None

    def array(self) -> bytes:
        """The page as one JSON array."""
        return b"[" + ",".join(self.runs).encode() + b"]"


def coerce_value(f: Field, value: object) -> Value:
    """Check that a scalar fits field `f` and return it in the field's Python type.

    The type's row says which scalars it takes: an int is accepted for a float field
    (it is widened); a bool is never taken for an int, since True silently becoming 1
    hides mistakes.
    """
    row = f.type.row
    if isinstance(value, tuple(row.scalars)) and (
        bool in row.scalars or not isinstance(value, bool)
    ):
        if row.int64 and not -(2**63) <= value < 2**63:  # type: ignore[operator]
            raise InvalidArgumentError(
                f"value {value} for {f.type} field {f.name!r} does not fit in 64 bits"
            )
        return value if type(value) is row.python else row.python(value)  # type: ignore[return-value]
    raise InvalidArgumentError(
        f"value {value!r} ({type(value).__name__}) does not fit field {f.name!r} "
        f"of type {f.type.value}: give a {f.type.value}"
    )


def validate_columns(
    series: Series, fields: Mapping[str, Field], columns: Mapping[str, pa.Array]
) -> pa.RecordBatch:
    """Check one batch for `series` and return it as a record batch in field order.

    `fields` maps field names to fields (at least those of the series). Every field
    of the series must be given exactly once, with its exact Arrow type, and all
    columns must have the same, non-zero length.
    """
    import pyarrow as pa  # noqa: PLC0415 - the model loads no pyarrow until data is at hand

    missing = [name for name in series.fields if name not in columns]
    if missing:
        raise InvalidArgumentError(
            f"series {series.name!r} needs every one of its fields; missing: "
            f"{', '.join(missing)}"
        )
    extra = [name for name in columns if name not in series.fields]
    if extra:
        raise InvalidArgumentError(
            f"series {series.name!r} has no field {', '.join(map(repr, extra))}; "
            f"its fields are {', '.join(series.fields)}"
        )
    lengths = {name: len(columns[name]) for name in series.fields}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{n}={k}" for n, k in lengths.items())
        raise InvalidArgumentError(
            f"columns for series {series.name!r} differ in length ({shown}): "
            "every field needs one value per row"
        )
    if not lengths or next(iter(lengths.values())) == 0:
        raise InvalidArgumentError(
            f"append to series {series.name!r} has no rows: send at least one"
        )
    arrays = []
    for name in series.fields:
        f = fields[name]
        array = columns[name]
        if not f.type.row.stores(array.type):
            raise InvalidArgumentError(
                f"column {name!r} holds {array.type} values but field {name!r} is "
                f"{f.type.value}: send {f.type.value} values"
            )
        if array.null_count:
            raise InvalidArgumentError(
                f"column {name!r} has {array.null_count} missing values: data is "
                "rectangular, give a value for every row"
            )
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=list(series.fields))


@dataclass(frozen=True)
class AttributeCondition:
    """A condition on one attribute: equal to a value, one of several, or in a range."""

    field: str
    equals: Value | None = None
    one_of: tuple[Value, ...] | None = None
    min: Value | None = None  # inclusive
    max: Value | None = None  # inclusive

    def __post_init__(self) -> None:
        kinds = sum(
            (self.equals is not None, self.one_of is not None,
             self.min is not None or self.max is not None)
        )
        if kinds != 1:
            raise InvalidArgumentError(
                f"condition on attribute {self.field!r} must give exactly one of "
                "equals, in, or a range (min and/or max)"
            )
        for v in (self.equals, self.min, self.max):
            if isinstance(v, float) and math.isnan(v):
                raise InvalidArgumentError(
                    f"condition on attribute {self.field!r} compares with NaN, which "
                    "matches nothing: give a number"
                )


@dataclass(frozen=True)
class RunFilter:
    """Which runs a query is about. All given parts must hold; empty matches all."""

    handles: tuple[uuid.UUID, ...] | None = None
    tags_any: tuple[str, ...] = ()
    tags_all: tuple[str, ...] = ()
    tags_none: tuple[str, ...] = ()
    attributes: tuple[AttributeCondition, ...] = ()
    started_after: float | None = None  # inclusive
    started_before: float | None = None  # exclusive


def dedupe(names: Sequence[str], kind: str) -> tuple[str, ...]:
    """Return `names` as a tuple, refusing duplicates with a message naming them."""
    seen: set[str] = set()
    dups = [n for n in names if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    if dups:
        raise InvalidArgumentError(
            f"{kind} {', '.join(map(repr, sorted(set(dups))))} given more than once: "
            "give each once"
        )
    return tuple(names)


def same_value(a: Value, b: Value) -> bool:
    """Whether a stored attribute value and a new one are the same (NaN is NaN): what a
    read-only server lets be "set again" without changing anything."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b
