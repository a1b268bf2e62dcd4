"""The core of the SQL store: transactions, event publication, shared look-ups.

Backends supply a dialect and sessions (connections); everything else about
storing fields, series, runs and chunks is SQL written once, in the modules that
build on `SqlCore`.
"""

from __future__ import annotations

import abc
import functools
import math
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from streamvis.model.media import NO_OPTIONS, FieldOptions, check_options
from streamvis.model.schema import Field, FieldType, Run, RunFilter, Series, Value, parse_handle
from streamvis.store.base import Store
from streamvis.store.dialect import Dialect, Session, marks
from streamvis.store.filters import (
    VALUE_INDEX,
    FieldRow,
    Where,
    compile_filter,
    filter_field_names,
)

# Above this many runs, tags and attributes are loaded by repeating the run query
# as a subquery instead of listing ids as parameters (SQLite allows 32766 of them).
_MAX_ID_PARAMS = 500


def as_uuid(value: object) -> uuid.UUID:
    """A UUID from a database value (PostgreSQL gives UUIDs, SQLite text)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def check_handle(handle: object, kind: str = "run") -> uuid.UUID:
    if isinstance(handle, uuid.UUID):
        return handle
    if isinstance(handle, str):
        return parse_handle(handle, kind)
    raise InvalidArgumentError(
        f"{kind} handle must be a UUID, got {type(handle).__name__}: give a uuid.UUID"
    )


def field_from_row(row: Sequence[Any]) -> FieldRow:
    """A FieldRow from (id, handle, name, type, description, options)."""
    key = tuple(row)
    try:
        hash(key)
    except TypeError:  # a driver's unhashable value: parsed each time
        return _parsed_field.__wrapped__(key)
    return _parsed_field(key)


def series_of(name: str, frows: Sequence[FieldRow], x_field: object) -> Series:
    """The Series of `name` with its FieldRows in order and `series.x_field` (an id or
    NULL)."""
    x = next((r.field.name for r in frows if r.id == x_field), None)
    return Series(name, tuple(r.field.name for r in frows), x)


# Every look-up of a series reads its fields' rows again (another replica may have
# changed the schema), but parsing one (its options' JSON checked against its type) costs
# ~40 us: a plot of 20 runs of a 50-field series parsed 20,000 rows, a third of its cold
# time. A row's parse depends only on the row, and FieldRow is frozen, so equal rows share
# one (a failed parse raises and is not kept).
@functools.lru_cache(maxsize=4096)
def _parsed_field(row: tuple[Any, ...]) -> FieldRow:
    try:
        ftype = FieldType(row[3])
    except ValueError:
        # A type registered by another program (or an older run of this one).
        raise FailedPreconditionError(
            f"field {row[2]!r} has type {row[3]!r}, which this server has not registered: "
            "register it before the store is read (docs/ARCHITECTURE.md, Adding a field type)"
        ) from None
    # With the type's defaults: a field made before options existed ('') reads as one
    # declared with none, so declaring it again agrees.
    stored = FieldOptions.from_text(str(row[5])) if len(row) > 5 else NO_OPTIONS
    options = check_options(ftype.value, ftype.row.media, ftype.row.options, stored)
    return FieldRow(int(row[0]), Field(as_uuid(row[1]), str(row[2]), ftype, str(row[4]),
                                       options))


FIELD_COLUMNS = "f.id, f.handle, f.name, f.type, f.description, f.options"


class SqlCore(Store):
    """Transactions and look-ups shared by every part of the SQL store."""

    dialect: Dialect

    def __init__(self) -> None:
        super().__init__()
        # Held from COMMIT until the transaction's events are published, so that
        # listeners get events in commit order (on SQLite, for the whole write
        # transaction). Reentrant, so a listener may call the store; it should
        # still only queue the event, since a write from a listener could wait on
        # a row lock held by a writer that waits for this lock.
        self._commit_lock = threading.RLock()

    @abc.abstractmethod
    def _session(self) -> AbstractContextManager[Session]:
        """A session on a connection of this thread's own, outside a transaction."""

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A read-only transaction that sees one snapshot for all its statements."""
        with self._session() as s:
            s.begin(write=False)
            try:
                yield s
            except BaseException:
                s.rollback()
                raise
            s.commit()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """A write transaction; its events are published once it has committed."""
        with self._session() as s:
            serial = self._commit_lock if self.dialect.serial_writes else nullcontext()
            with serial:
                s.begin(write=True)
                try:
                    yield s
                except BaseException:
                    s.rollback()
                    raise
                with self._commit_lock:
                    s.commit()
                    events, s.pending = s.pending, []
                    for event in events:
                        self.events.publish(event)

    # -- look-ups inside a transaction ------------------------------------------

    def _fields_by_name(self, s: Session, names: Iterable[str]) -> dict[str, FieldRow]:
        """The fields of those names that exist, by name."""
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        rows = s.all(
            f"SELECT {FIELD_COLUMNS} FROM fields f WHERE f.name IN ({marks(len(wanted))})",
            wanted,
        )
        return {r.field.name: r for r in map(field_from_row, rows)}

    def _field_rows(self, s: Session, names: Sequence[str]) -> list[FieldRow]:
        """The fields of `names`, in order; NotFoundError names the missing ones."""
        found = self._fields_by_name(s, names)
        missing = [n for n in names if n not in found]
        if missing:
            raise NotFoundError(
                f"no field named {', '.join(map(repr, missing))}: create it first, "
                "or check the spelling"
            )
        return [found[n] for n in names]

    def _all_fields(self, s: Session) -> dict[int, FieldRow]:
        return {
            r.id: r for r in map(field_from_row, s.all(f"SELECT {FIELD_COLUMNS} FROM fields f"))
        }

    def _run_id(self, s: Session, handle: uuid.UUID, *, lock: bool = False) -> int:
        suffix = self.dialect.for_update if lock else ""
        row = s.one(f"SELECT id FROM runs WHERE handle = ?{suffix}", (handle,))
        if row is None:
            raise NotFoundError(f"no run with handle {handle}: check the handle")
        return int(row[0])

    def _series_fields(self, s: Session, where: str, params: Sequence[object]) -> dict[int, Series]:
        """Series matching `where` (on `series s`) with their field names, by id."""
        rows = s.all(
            "SELECT s.id, s.name, f.name, f.id = s.x_field FROM series s "
            "JOIN series_fields sf ON sf.series_id = s.id JOIN fields f ON f.id = sf.field_id "
            f"WHERE {where} ORDER BY s.id, sf.position",
            params,
        )
        names: dict[int, str] = {}
        fields: dict[int, list[str]] = {}
        xs: dict[int, str] = {}
        for sid, sname, fname, is_x in rows:
            names[sid] = sname
            fields.setdefault(sid, []).append(fname)
            if is_x:
                xs[sid] = fname
        return {sid: Series(names[sid], tuple(fields[sid]), xs.get(sid)) for sid in names}

    def _series(
        self, s: Session, name: str, *, lock: bool = False
    ) -> tuple[int, Series, list[FieldRow]]:
        """A series by name with its fields in order; NotFoundError if none."""
        suffix = self.dialect.for_update if lock else ""
        row = s.one(f"SELECT id, x_field FROM series WHERE name = ?{suffix}", (name,))
        if row is None:
            raise NotFoundError(f"no series named {name!r}: create it first, or check the name")
        sid = int(row[0])
        rows = s.all(
            f"SELECT {FIELD_COLUMNS} FROM series_fields sf JOIN fields f ON f.id = sf.field_id "
            "WHERE sf.series_id = ? ORDER BY sf.position",
            (sid,),
        )
        frows = [field_from_row(r) for r in rows]
        return sid, series_of(name, frows, row[1]), frows

    def _where(self, s: Session, run_filter: RunFilter) -> Where:
        if not isinstance(run_filter, RunFilter):
            raise InvalidArgumentError(
                f"run_filter must be a RunFilter, got {type(run_filter).__name__}"
            )
        return compile_filter(run_filter, self._fields_by_name(s, filter_field_names(run_filter)))

    def _load_runs(self, s: Session, where: Where, limit: int | None = None) -> list[Run]:
        """Runs matching `where`, newest first, with tags and attributes, in 3 queries."""
        order = " ORDER BY r.started_at DESC, r.id DESC"
        lim, lim_params = ("", ()) if limit is None else (" LIMIT ?", (limit,))
        rows = s.all(
            f"SELECT r.id, r.handle, r.started_at FROM runs r WHERE {where.sql}{order}{lim}",
            (*where.params, *lim_params),
        )
        if not rows:
            return []
        ids_sql: str
        ids_params: Sequence[object]
        if len(rows) <= _MAX_ID_PARAMS:
            ids_sql, ids_params = marks(len(rows)), [r[0] for r in rows]
        elif limit is None:
            ids_sql, ids_params = f"SELECT r.id FROM runs r WHERE {where.sql}", where.params
        else:
            ids_sql = f"SELECT r.id FROM runs r WHERE {where.sql}{order}{lim}"
            ids_params = (*where.params, *lim_params)
        tags: dict[int, list[str]] = {}
        for run_id, tag in s.all(
            f"SELECT run_id, tag FROM run_tags WHERE run_id IN ({ids_sql})", ids_params
        ):
            tags.setdefault(run_id, []).append(tag)
        attrs = self._attributes_of(s, ids_sql, ids_params)
        return [
            Run(
                as_uuid(handle),
                float(started),
                tuple(sorted(tags.get(rid, ()))),
                attrs.get(rid, {}),
            )
            for rid, handle, started in rows
        ]

    def _attributes_of(
        self, s: Session, ids_sql: str, ids_params: Sequence[object], field_ids: Sequence[int] = ()
    ) -> dict[int, dict[str, Value]]:
        """run id -> {field name: value} for runs `ids_sql` (a subquery or id list)."""
        # (name, column index in the row, type) per field id; the conversion is
        # inlined because it runs once per attribute of every listed run.
        spec = {
            fid: (r.field.name, 2 + VALUE_INDEX[r.field.type.row.value_column],
                  r.field.type.row.python)
            for fid, r in self._all_fields(s).items()
        }
        only, only_params = "", tuple[int, ...]()
        if field_ids:
            only, only_params = f" AND field_id IN ({marks(len(field_ids))})", tuple(field_ids)
        out: dict[int, dict[str, Value]] = {}
        for row in s.all(
            "SELECT run_id, field_id, v_int, v_float, v_str, v_bool FROM run_attributes "
            f"WHERE run_id IN ({ids_sql}){only}",
            (*ids_params, *only_params),
        ):
            name, index, python = spec[row[1]]
            value = row[index]
            # NULL is a stored NaN (filters.value_params); SQLite gives a bool as 0 or 1.
            value = math.nan if value is None else python(value)
            values = out.get(row[0])
            if values is None:
                values = out[row[0]] = {}
            values[name] = value
        return out

    def _run_by_id(self, s: Session, run_id: int) -> Run:
        return self._load_runs(s, Where("r.id = ?", (run_id,)))[0]
