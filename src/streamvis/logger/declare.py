"""Declaring fields and series from code, and the logger's cache of the schema.

`declare_schema(fields=..., series=...)` is `streamvis apply` for a script: it creates
what is missing and changes nothing that is already as declared, so a script can carry
its own schema and run against any server. `DataLogger.declare` does the same through
the logger's ordered queue (so it works while the server is down) and teaches the
logger's validators the declared types at once.

`SchemaCache` is what `write` checks series against: the server's fields and series,
fetched once and again only when a write names a series the cache does not know.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from streamvis import wire
from streamvis.client import Client
from streamvis.declare import ApplyReport, Declaration, apply_declaration, parse_declaration
from streamvis.model.errors import StreamvisError
from streamvis.model.media import FieldOptions
from streamvis.model.schema import FieldType
from streamvis.v1 import service_pb2 as pb

#: A field given as its type ("float", FieldType.FLOAT), as (type, description), or as
#: a mapping {"type": ..., "description": ..., "options": {"format": "markdown"}}.
FieldDecl = str | FieldType | tuple[str | FieldType, str] | Mapping[str, Any]
#: A series given as its field names, or as {"fields": [...], "x": "t"} to name the int
#: or float field it is drawn against (else its first int field).
SeriesDecl = Sequence[str] | Mapping[str, Any]


def build_declaration(
    fields: Mapping[str, FieldDecl], series: Mapping[str, SeriesDecl]
) -> Declaration:
    """Check a declaration given in Python; raise InvalidArgumentError if it is malformed."""
    doc: dict[str, object] = {
        "fields": [
            {"name": name, "type": str(spec[0]), "description": spec[1]}
            if isinstance(spec, tuple) else {"name": name, **spec}
            if isinstance(spec, Mapping) else {"name": name, "type": str(spec)}
            for name, spec in fields.items()
        ],
        "series": [
            {"name": name, **spec} if isinstance(spec, Mapping)
            else {"name": name, "fields": list(spec)}
            for name, spec in series.items()
        ],
    }
    return parse_declaration(doc, "declaration")


def declaration_json(decl: Declaration) -> bytes:
    """The declaration as the JSON document `parse_declaration` reads back."""
    return json.dumps({
        "fields": [
            {"name": f.name, "type": f.type.value, "description": f.description,
             "options": f.options.to_json()}
            for f in decl.fields
        ],
        "series": [{"name": s.name, "fields": list(s.fields), **({"x": s.x} if s.x else {})}
                   for s in decl.series],
    }).encode()


def declare_schema(
    fields: Mapping[str, FieldDecl] | None = None,
    series: Mapping[str, SeriesDecl] | None = None,
    *,
    uri: str | None = None,
    timeout: float = 30.0,
    token: str | None = None,
) -> ApplyReport:
    """Create the declared fields and series where missing; idempotent, like `streamvis apply`.

    fields: name -> type ("int", "float", "string", "bool") or (type, description).
    series: name -> field names, or name -> {"fields": [...], "x": "t"} to name the int
    or float field the series is drawn against (default: its first int field). Raises
    FailedPreconditionError, changing nothing, if the server has a field of another
    type or a series with other fields or another x.
    """
    decl = build_declaration(fields or {}, series or {})
    with Client(uri, timeout=timeout, token=token) as client:
        return apply_declaration(client, decl)


class SchemaCache:
    """Field types and series field lists, as last fetched or declared."""

    def __init__(self) -> None:
        self.types: dict[str, FieldType] = {}
        self.options: dict[str, FieldOptions] = {}  # the media fields' (encoding)
        self.series: dict[str, tuple[str, ...]] = {}
        self.loaded = False  # fetched from the server at least once
        self._lock = threading.Lock()

    def refresh(self, client: Client, timeout: float) -> None:
        """Fetch the server's fields and series; raise StreamvisError when it fails."""
        with self._lock:
            fields = client.call(client.stub.ListFields, pb.ListFieldsRequest(), timeout)
            series = client.call(client.stub.ListSeries, pb.ListSeriesRequest(), timeout)
            # Declared-but-not-yet-applied entries stay: the queued declaration will
            # create them, and writes meanwhile are checked against them.
            self.types.update(
                {f.name: wire.field_type_from_pb(f.type, f.type_name) for f in fields.fields}
            )
            self.options.update(
                {f.name: wire.options_from_pb(f.options) for f in fields.fields}
            )
            self.series.update({s.name: tuple(s.fields) for s in series.series})
            self.loaded = True

    def try_refresh(self, client: Client, timeout: float) -> bool:
        try:
            self.refresh(client, timeout)
        except StreamvisError:
            return False
        return True

    def merge(self, decl: Declaration) -> None:
        with self._lock:
            for f in decl.fields:
                self.types.setdefault(f.name, f.type)
                self.options.setdefault(f.name, f.options)
            for s in decl.series:
                self.series.setdefault(s.name, s.fields)

    def lookup(self, name: str) -> tuple[tuple[str, ...], dict[str, FieldType]] | None:
        """The series' fields and their types, if known."""
        fields = self.series.get(name)
        if fields is None or any(f not in self.types for f in fields):
            return None
        return fields, {f: self.types[f] for f in fields}
