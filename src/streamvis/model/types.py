"""The field type registry: one row per value type, read by every module that cares.

A module that treats types differently (the wire, the logger's checks, the stores'
filters, the web app's columns, the plot grammar's roles) reads the row of the type at
hand instead of branching on its name. Adding a type is one row here (or a `register`
call at run time) plus the code that only that type needs (docs/ARCHITECTURE.md,
"Adding a field type").

Traits say what a type is good for, so the plot grammar (checks/grammar.py) can state
each role's needs without naming types: `numeric` values have a position on an axis and
can be summed; `discrete` values split data into groups, lines or panels.

`FieldType` is the handle code holds: a registered type's name, interned, so
`FieldType.INT`, `FieldType("int")` and `FieldType.parse("INT")` are one object and
`is` compares them. Its row is `FieldType.row`; a hot path reads it once (per field of a
series, say) and keeps it.

A row may give its Arrow type and dtype by name ("int64"): importing this module loads
neither numpy nor pyarrow, and a row makes them on first use (`_Made`), so the command
line lists runs without them (tests/cli/test_startup.py, decision 0013).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from streamvis.model.errors import InvalidArgumentError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

#: The traits a role may require (see the module docstring).
NUMERIC = "numeric"
DISCRETE = "discrete"
#: `textual` values are text to read (the text plot kind shows them, formatted).
TEXTUAL = "textual"
#: `media` values are shown as a picture or a player (the media plot kind); `pixels`
#: values are pictures (a mask over an image is one).
MEDIA = "media"
PIXELS = "pixels"
TRAITS = frozenset({NUMERIC, DISCRETE, TEXTUAL, MEDIA, PIXELS})

#: The protobuf Column members a type's values may travel in (proto/streamvis/v1).
WIRE_COLUMNS = frozenset({"ints", "floats", "floats32", "run_ends", "bools", "strings"})
#: The `run_attributes` columns an attribute value may be stored in (store/migrations.py);
#: a type whose values fit none of them needs a migration that adds one.
VALUE_COLUMNS = ("v_int", "v_float", "v_str", "v_bool")
#: How the web app's column cache holds a type's values (web/columns.py): `values` as
#: they are, in the row's dtype; `labels` as int32 codes into the column's distinct labels.
CACHE_CODECS = frozenset({"values", "labels"})
#: What a browser parses and formats a value as (GET /api/info, "types").
JSON_KINDS = frozenset({"number", "string", "boolean"})

Value = int | float | str | bool


def _arrow_type(given: pa.DataType | str) -> pa.DataType:
    """An Arrow type, or the one a row names: its pyarrow factory ("int64", "bool_")."""
    if not isinstance(given, str):
        return given
    import pyarrow as pa  # noqa: PLC0415 - loaded on first use (see the module docstring)

    made = getattr(pa, given)()
    if not isinstance(made, pa.DataType):
        raise TypeError(f"pyarrow.{given}() is no Arrow type: name a type factory")
    return made


def _dtype(given: np.dtype[Any] | str) -> np.dtype[Any]:
    """A numpy dtype, or the one a row names ("int64", "<U0")."""
    if not isinstance(given, str):
        return given
    import numpy as np  # noqa: PLC0415 - loaded on first use (see the module docstring)

    return np.dtype(given)


class _Made:
    """The Arrow type and dtype of a row that gives them as objects or names (`arrow`,
    `host`): made from a name on first read, then kept."""

    arrow: pa.DataType | str
    host: np.dtype[Any] | str

    @functools.cached_property
    def arrow_type(self) -> pa.DataType:
        return _arrow_type(self.arrow)

    @functools.cached_property
    def dtype(self) -> np.dtype[Any]:
        return _dtype(self.host)


@dataclass(frozen=True)
class Narrow(_Made):
    """A narrower width a type's column keeps when every value the program logged has
    it (float32 for float): it travels in `wire_column` and is stored as `arrow_type`;
    the field's type is unchanged, and reads widen to the type's own on request.
    `host` and `arrow` are the dtype and Arrow type, or their names."""

    host: np.dtype[Any] | str
    arrow: pa.DataType | str
    wire_column: str


@dataclass(frozen=True)
class TypeRow(_Made):
    """Everything the code needs to know about one field type."""

    name: str
    #: The Arrow type of a column of it (`arrow_type`), or its pyarrow factory's name
    #: ("int64").
    arrow: pa.DataType | str
    traits: frozenset[str]
    description: str
    #: The protobuf Column member that carries a column of it (one of WIRE_COLUMNS).
    wire_column: str
    #: The host (numpy) dtype of a column of it (`dtype`), as the logger sends and the
    #: cache keeps it, or its name ("int64").
    host: np.dtype[Any] | str
    #: The Python type of one value; a scalar that is accepted is converted to it.
    python: type
    #: The Python scalar types `write` and attributes accept (bool is never an int).
    scalars: frozenset[type]
    #: The numpy dtype kinds `write` accepts for an array value.
    kinds: str
    #: The run_attributes column an attribute value of it is stored in (VALUE_COLUMNS).
    value_column: str
    #: Reads a value from text (`--where`); raises ValueError (TextHintError: with advice).
    parse_text: Callable[[str], Value]
    #: What a browser parses and formats a value as (one of JSON_KINDS).
    json_kind: str
    #: How the web app's column cache holds it (one of CACHE_CODECS).
    cache_codec: str = "values"
    #: The dtype kinds of a first value from which a logger that cannot ask the server
    #: guesses a field to be of this type ("" for a type it never guesses).
    guessed_from: str = ""
    #: Whether values vary continuously (a line joins them; ticks may fall between them).
    continuous: bool = False
    #: A narrower width a column of it is sent and stored at, when the values have it.
    narrow: Narrow | None = None
    #: Whether a column of it may travel and be stored run-end encoded (one value per
    #: run of equal values: a step broadcast to a write's points), in WIRE_COLUMNS'
    #: `run_ends`; reads decode it.
    runs: bool = False
    #: The media kind (`image`, `audio`, `video`) whose values are blob references
    #: (model/media.py), or "" for a type whose values are stored in the chunk.
    media: str = ""
    #: The field options a field of this type may declare (model/media.py).
    options: frozenset[str] = frozenset()

    def stores(self, arrow_type: pa.DataType) -> bool:
        """Whether a column of `arrow_type` is a column of this type, as sent or stored."""
        import pyarrow as pa  # noqa: PLC0415 - the caller holds a column: it is loaded

        if self.runs and pa.types.is_run_end_encoded(arrow_type):
            return bool(arrow_type.value_type == self.arrow_type)
        return arrow_type == self.arrow_type or (
            self.narrow is not None and arrow_type == self.narrow.arrow_type
        )

    @property
    def int64(self) -> bool:
        """Whether a Python int must be checked to fit 64 bits before it is taken."""
        return bool(self.host == "int64")  # a dtype equals its name


class _Registered(type):
    """`for t in FieldType` goes over the registered types, in registration order."""

    def __iter__(cls) -> Iterator[FieldType]:
        return iter(TYPES.types())


class FieldType(str, metaclass=_Registered):
    """A registered field type, by name (see the module docstring)."""

    __slots__ = ()

    INT: ClassVar[FieldType]
    FLOAT: ClassVar[FieldType]
    STRING: ClassVar[FieldType]
    BOOL: ClassVar[FieldType]

    def __new__(cls, name: str) -> FieldType:
        return TYPES.type(name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (FieldType, (str(self),))

    def __repr__(self) -> str:
        return f"FieldType({str(self)!r})"

    @classmethod
    def parse(cls, text: str) -> FieldType:
        """The type named `text` (any case, spaces around ignored), or a clear error."""
        try:
            return TYPES.type(text.strip().lower())
        except ValueError:
            choices = ", ".join(TYPES.names())
            raise InvalidArgumentError(
                f"unknown field type {text!r}: use one of {choices}"
            ) from None

    @property
    def value(self) -> str:
        return str(self)

    @property
    def row(self) -> TypeRow:
        return TYPES[self]

    @property
    def arrow_type(self) -> pa.DataType:
        return TYPES[self].arrow_type


class TypeRegistry:
    """The rows by name; `register` adds one (a test's throwaway type, a new media type)."""

    def __init__(self, rows: list[TypeRow]) -> None:
        self._rows: dict[str, TypeRow] = {}
        self._types: dict[str, FieldType] = {}
        for row in rows:
            self.register(row)

    def register(self, row: TypeRow) -> FieldType:
        """Add a row; returns the handle of its type."""
        problems = [
            f"unknown traits {sorted(row.traits - TRAITS)}" if row.traits - TRAITS else "",
            f"wire column {row.wire_column!r}" if row.wire_column not in WIRE_COLUMNS else "",
            f"narrow wire column {row.narrow.wire_column!r}"
            if row.narrow is not None and row.narrow.wire_column not in WIRE_COLUMNS else "",
            f"value column {row.value_column!r}" if row.value_column not in VALUE_COLUMNS else "",
            f"cache codec {row.cache_codec!r}" if row.cache_codec not in CACHE_CODECS else "",
            f"JSON kind {row.json_kind!r}" if row.json_kind not in JSON_KINDS else "",
        ]
        guessed = {k: r.name for r in self._rows.values() for k in r.guessed_from}
        problems += [f"kind {k!r} is guessed as {guessed[k]!r} already"
                     for k in row.guessed_from if k in guessed]
        if any(problems):
            raise ValueError(f"type {row.name!r} has {'; '.join(p for p in problems if p)}")
        if row.name in self._rows:
            raise ValueError(f"type {row.name!r} is registered already")
        self._rows[row.name] = row
        handle = self._types[row.name] = str.__new__(FieldType, row.name)
        return handle

    def unregister(self, name: str) -> None:
        del self._rows[name]
        del self._types[name]

    def __getitem__(self, name: str) -> TypeRow:
        return self._rows[name]

    def __contains__(self, name: object) -> bool:
        return name in self._rows

    def type(self, name: str) -> FieldType:
        """The handle of the type named `name`; ValueError if none is registered."""
        try:
            return self._types[name]
        except (KeyError, TypeError):
            raise ValueError(f"{name!r} is not a registered field type") from None

    def types(self) -> tuple[FieldType, ...]:
        return tuple(self._types.values())

    def names(self) -> tuple[str, ...]:
        return tuple(self._rows)

    def rows(self) -> tuple[TypeRow, ...]:
        return tuple(self._rows.values())

    def with_trait(self, trait: str) -> frozenset[str]:
        return frozenset(n for n, r in self._rows.items() if trait in r.traits)

    def ordered_with_trait(self, trait: str) -> tuple[FieldType, ...]:
        """The types with `trait`, in registration order (for messages that list them)."""
        return tuple(self._types[n] for n, r in self._rows.items() if trait in r.traits)

    def guess(self, kind: str) -> FieldType | None:
        """The type a logger guesses for a first value of numpy dtype kind `kind`."""
        for name, row in self._rows.items():
            if kind in row.guessed_from:
                return self._types[name]
        return None


# -- the built-in types: their text readers ---------------------------------------------

class TextHintError(ValueError):
    """Raised by a row's `parse_text`: the text is no value, and the message says why."""


_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


def parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise TextHintError("use true or false")


def _text(text: str) -> str:
    return text


def _no_text(text: str) -> str:  # noqa: ARG001 -- a parse_text reader takes the text
    raise TextHintError("media values are not compared: filter on another field")


TYPES = TypeRegistry([
    TypeRow(
        "int", "int64", frozenset({NUMERIC, DISCRETE}), "64-bit signed integers",
        wire_column="ints", host="int64", python=int, scalars=frozenset({int}),
        kinds="iu", value_column="v_int", parse_text=int, json_kind="number",
        guessed_from="iu", runs=True,
    ),
    TypeRow(
        "float", "float64", frozenset({NUMERIC}), "64-bit floating point numbers",
        wire_column="floats", host="float64", python=float,
        scalars=frozenset({float, int}), kinds="fiu", value_column="v_float",
        parse_text=float, json_kind="number", guessed_from="f", continuous=True,
        narrow=Narrow("float32", "float32", "floats32"),
    ),
    TypeRow(
        "string", "string", frozenset({DISCRETE, TEXTUAL}), "text, up to MAX_STRING_LENGTH",
        wire_column="strings", host="<U0", python=str, scalars=frozenset({str}),
        kinds="U", value_column="v_str", parse_text=_text, json_kind="string",
        cache_codec="labels", guessed_from="U", options=frozenset({"format"}),
    ),
    TypeRow(
        "bool", "bool_", frozenset({DISCRETE}), "true or false",
        wire_column="bools", host="bool", python=bool, scalars=frozenset({bool}),
        kinds="b", value_column="v_bool", parse_text=parse_bool, json_kind="boolean",
        guessed_from="b",
    ),
    *(
        TypeRow(
            kind, "string", traits, what,
            wire_column="strings", host="<U0", python=str, scalars=frozenset(),
            kinds="", value_column="v_str", parse_text=_no_text, json_kind="string",
            cache_codec="labels", media=kind, options=takes,
        )
        for kind, traits, what, takes in (
            ("image", frozenset({MEDIA, PIXELS}), "images (PNG, JPEG or WebP), stored as blobs",
             frozenset({"encoding", "quality"})),
            ("audio", frozenset({MEDIA}), "audio clips (WAV), stored as blobs",
             frozenset({"encoding"})),
            ("video", frozenset({MEDIA}), "videos (MP4), stored as blobs",
             frozenset({"encoding", "fps"})),
        )
    ),
])

FieldType.INT = TYPES.type("int")
FieldType.FLOAT = TYPES.type("float")
FieldType.STRING = TYPES.type("string")
FieldType.BOOL = TYPES.type("bool")
