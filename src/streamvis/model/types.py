"""The field type registry: one row per value type, read by every module that cares.

A module that treats types differently (the wire, the logger's checks, the stores'
filters, the web app's columns, the plot grammar's roles) reads the row of the type at
hand instead of branching on its name. Adding a type is one row here plus the code that
only that type needs (docs/ARCHITECTURE.md, "Adding a field type").

Traits say what a type is good for, so the plot grammar (checks/grammar.py) can state
each role's needs without naming types: `numeric` values have a position on an axis and
can be summed; `discrete` values split data into groups, lines or panels.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

#: The traits a role may require (see the module docstring).
NUMERIC = "numeric"
DISCRETE = "discrete"
TRAITS = frozenset({NUMERIC, DISCRETE})


@dataclass(frozen=True)
class TypeRow:
    """Everything the code needs to know about one field type."""

    name: str
    arrow_type: pa.DataType
    traits: frozenset[str]
    description: str


class TypeRegistry:
    """The rows by name; `register` adds one (a test's throwaway type, a new media type)."""

    def __init__(self, rows: list[TypeRow]) -> None:
        self._rows: dict[str, TypeRow] = {}
        for row in rows:
            self.register(row)

    def register(self, row: TypeRow) -> TypeRow:
        unknown = row.traits - TRAITS
        if unknown:
            raise ValueError(f"type {row.name!r} has unknown traits {sorted(unknown)}")
        if row.name in self._rows:
            raise ValueError(f"type {row.name!r} is registered already")
        self._rows[row.name] = row
        return row

    def unregister(self, name: str) -> None:
        del self._rows[name]

    def __getitem__(self, name: str) -> TypeRow:
        return self._rows[name]

    def __contains__(self, name: object) -> bool:
        return name in self._rows

    def names(self) -> tuple[str, ...]:
        return tuple(self._rows)

    def with_trait(self, trait: str) -> frozenset[str]:
        return frozenset(n for n, r in self._rows.items() if trait in r.traits)


TYPES = TypeRegistry([
    TypeRow("int", pa.int64(), frozenset({NUMERIC, DISCRETE}), "64-bit signed integers"),
    TypeRow("float", pa.float64(), frozenset({NUMERIC}), "64-bit floating point numbers"),
    TypeRow("string", pa.string(), frozenset({DISCRETE}), "text, up to MAX_STRING_LENGTH"),
    TypeRow("bool", pa.bool_(), frozenset({DISCRETE}), "true or false"),
])


