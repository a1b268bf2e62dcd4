"""SQL dialects and sessions: the few places where SQLite and PostgreSQL differ.

The store's SQL is written once, with `?` placeholders and `{name}` type slots in
DDL; a `Dialect` turns it into what one database wants. A `Session` is one
connection in use, with driver errors translated into the two integrity violations
the store reacts to and into `StreamvisError`s for everything a caller should see.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from streamvis.model.events import Event

Row = tuple[Any, ...]


class UniqueViolation(Exception):  # noqa: N818 -- internal signal, never leaves the store
    """A write hit a UNIQUE or PRIMARY KEY constraint."""


class ForeignKeyViolation(Exception):  # noqa: N818 -- internal signal, never leaves the store
    """A write referenced a row that is gone (or removed one still referenced)."""


@dataclass(frozen=True)
class Dialect:
    name: str
    placeholder: str
    ddl_types: Mapping[str, str]
    # Appended to a SELECT that must lock the rows it reads until commit.
    for_update: str
    # SQLite serializes writers anyway, so the store holds its write lock for the
    # whole transaction and can take a sequence number before inserting the blob
    # (an UPDATE of a row with a large blob would rewrite the blob in SQLite).
    serial_writes: bool
    begin_read: str
    begin_write: str
    # Group commits (store/group_commit.py) in flight at once: SQLite has one writer.
    concurrent_groups: int
    # Statements run first in every migration transaction.
    migration_lock: tuple[str, ...] = ()
    # A list of values goes as one array parameter (`= ANY(?)`), not one each.
    array_params: bool = False
    # After `runs r`: read the runs in started_at order, each tested against the filter,
    # where the planner would fetch every match and sort them (store/run_search.py).
    runs_by_start: str = ""

    def sql(self, text: str) -> str:
        return _convert(text, self.placeholder)

    def ddl(self, text: str) -> str:
        return text.format_map(self.ddl_types)


@functools.lru_cache(maxsize=2048)
def _convert(text: str, placeholder: str) -> str:
    if placeholder == "?":
        return text
    if "%" in text:
        raise ValueError(f"SQL must not contain '%': {text}")
    return text.replace("?", placeholder)


SQLITE = Dialect(
    name="sqlite",
    placeholder="?",
    ddl_types={
        "pk": "INTEGER PRIMARY KEY",
        "uuid": "TEXT",
        "text": "TEXT",
        "float": "REAL",
        "bool": "INTEGER",
        "blob": "BLOB",
        "norowid": " WITHOUT ROWID",
    },
    for_update="",
    serial_writes=True,
    begin_read="BEGIN DEFERRED",
    begin_write="BEGIN IMMEDIATE",
    concurrent_groups=1,
    runs_by_start=" INDEXED BY runs_started_at",
)

# Text columns use the "C" collation so that comparisons and ordering are by code
# point, as in SQLite, whatever locale the PostgreSQL database was created with.
POSTGRES = Dialect(
    name="postgresql",
    placeholder="%s",
    ddl_types={
        "pk": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "uuid": "UUID",
        "text": 'TEXT COLLATE "C"',
        "float": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "blob": "BYTEA",
        "norowid": "",
    },
    for_update=" FOR UPDATE",
    serial_writes=False,
    # Reads plan each statement for its own parameters. psycopg prepares a statement run
    # five times, and PostgreSQL may then keep one generic plan for all parameters: a run
    # search's page of 100 and its every match share a statement, and listing all 2,297
    # matches of a filter took 130-190 ms on the plan made for 100 rows, 29 ms on its own
    # (decision 0061). Writes keep their prepared plans.
    begin_read=("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                "SET LOCAL plan_cache_mode = force_custom_plan"),
    begin_write="BEGIN ISOLATION LEVEL READ COMMITTED",
    concurrent_groups=4,
    # Two servers starting at once against one database must not both migrate.
    migration_lock=("SELECT pg_advisory_xact_lock(7227128441862412851)",),
    array_params=True,
)


def marks(n: int) -> str:
    """`n` comma-separated placeholders, for an IN list."""
    return ", ".join("?" * n)


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """An INSERT of one row of `columns` into `table` (fixed names, never input)."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(len(columns))})"


def one_of(
    dialect: Dialect, column: str, values: Sequence[object],
) -> tuple[str, tuple[object, ...]]:
    """The condition that `column` is one of `values`, with its parameters: one array
    parameter where the database takes one (PostgreSQL plans and binds thousands of
    parameters slowly), else an IN list (SQLite takes up to 32,766)."""
    if dialect.array_params:
        return f"{column} = ANY(?)", (list(values),)
    return f"{column} IN ({marks(len(values))})", tuple(values)


def int_pairs(
    dialect: Dialect, name: str, pairs: Sequence[tuple[int, int]],
) -> tuple[str, tuple[object, ...]]:
    """A CTE `name (a, b)` of many integer `pairs`, with its parameters: two arrays
    unnested where the database takes arrays (one plan, however many pairs; a VALUES
    list of hundreds of pairs is parsed and bound pair by pair), else a VALUES list.
    For a few pairs in PostgreSQL, a VALUES list in FROM plans better (chunk_writes)."""
    if dialect.array_params:
        # Each side as one string of its numbers, split by the database: psycopg binds
        # a list of 2,000 ints as an array in ~1 ms, a joined string in ~0.2 (a 1 B-point
        # zoom's bucket rows: 10.0-10.9 -> 8.2-9.0 ms for the query).
        array = "CAST(string_to_array(CAST(? AS TEXT), ',') AS BIGINT[])"
        return (f"{name} (a, b) AS (SELECT * FROM unnest({array}, {array}))",
                (",".join([str(a) for a, _ in pairs]), ",".join([str(b) for _, b in pairs])))
    values = ", ".join(["(CAST(? AS BIGINT), CAST(? AS BIGINT))"] * len(pairs))
    return f"{name} (a, b) AS (VALUES {values})", tuple(v for pair in pairs for v in pair)


_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """Check that `name` is a plain identifier before it is put into SQL text."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


@dataclass
class Result:
    rows: list[Row]
    rowcount: int


class Session(abc.ABC):
    """One connection in use by one thread, in or out of a transaction."""

    def __init__(self, dialect: Dialect, where: str) -> None:
        self.dialect = dialect
        self.where = where  # names the database in error messages
        # Events of the open transaction, published by the store after it commits.
        self.pending: list[Event] = []

    @abc.abstractmethod
    def run(self, sql: str, params: Sequence[object] = (), *, binary: bool = False) -> Result:
        """Execute one statement; `binary` asks for binary results (large blobs)."""

    @abc.abstractmethod
    def run_many(self, sql: str, params: Iterable[Sequence[object]]) -> None:
        """Execute one statement once per parameter row."""

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
    ) -> None:
        """Insert many rows into `table` (fixed names, never input): an INSERT per row
        here; a backend may have a faster bulk path (PostgreSQL: COPY). The rows hold
        no UUID (give its text): SQLite takes them as they are, unadapted."""
        self.run_many(insert_sql(table, columns), rows)

    def roomy(self) -> contextlib.AbstractContextManager[None]:
        """For a write of many rows at scattered places of the indexes (a batch of
        runs): a larger page cache meanwhile where a connection has its own (SQLite);
        nothing here."""
        return contextlib.nullcontext()

    def all(self, sql: str, params: Sequence[object] = (), *, binary: bool = False) -> list[Row]:
        return self.run(sql, params, binary=binary).rows

    def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        rows = self.run(sql, params).rows
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[object] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def publish_after_commit(self, event: Event) -> None:
        self.pending.append(event)

    def begin(self, *, write: bool) -> None:
        self.pending = []
        self.run(self.dialect.begin_write if write else self.dialect.begin_read)

    def commit(self) -> None:
        self.run("COMMIT")

    @abc.abstractmethod
    def rollback(self) -> None:
        """Roll back if a transaction is open; never raises (the connection may be gone)."""
