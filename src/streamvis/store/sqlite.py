"""The embedded store: one SQLite file, safe for many threads and processes.

WAL mode lets readers run beside the one writer; synchronous=FULL makes every
commit durable, even against power loss. Each thread borrows its own connection
from a small pool. Writers take an in-process lock before BEGIN IMMEDIATE, so
threads queue there instead of polling SQLite's busy handler; busy_timeout still
covers other processes using the same file. The WAL is copied into the database by
a thread of the store's own, not in the commit that crosses the threshold
(sqlite_checkpoint.py, decision 0035).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from streamvis.model.errors import (
    FailedPreconditionError,
    ResourceExhaustedError,
    UnavailableError,
)
from streamvis.store.dialect import (
    SQLITE,
    ForeignKeyViolation,
    Result,
    Session,
    UniqueViolation,
    insert_sql,
)
from streamvis.store.migrations import migrate
from streamvis.store.run_listing import JSON_NUMBER_SQL, json_number
from streamvis.store.sql import SqlStore
from streamvis.store.sqlite_checkpoint import (
    CHECKPOINT_BYTES,
    WAL_BACKSTOP_BYTES,
    Checkpointer,
    in_pages,
)

FILE_NAME = "streamvis.sqlite3"
_BUSY_TIMEOUT_S = 30.0
_MAX_IDLE = 16
_MIN_VERSION = (3, 35, 0)  # RETURNING
#: The page cache of a connection while it writes a batch of runs (`roomy`), KiB;
#: SQLite's default is 2,000.
_BATCH_CACHE_KIB = 64 * 1024
#: The page size of a new database file, bytes.
PAGE_SIZE = 8_192


def connect(path: Path) -> sqlite3.Connection:
    """A connection configured as every streamvis connection to `path` must be."""
    # isolation_level=None: the store issues BEGIN and COMMIT itself. Connections
    # move between threads through the pool, but one thread uses each at a time.
    try:
        conn = sqlite3.connect(
            path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise _open_error(path, exc) from None
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        # A new file only (an existing one keeps its own): chunks are blobs of up to
        # megabytes, which 8 KiB pages write in two thirds of the time 4 KiB ones take,
        # and small appends as fast (16 KiB: faster still for blobs, slower for small
        # appends; decision 0060).
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        # Checkpoints run in the store's own thread (sqlite_checkpoint.py); a commit
        # checkpoints by itself only past this backstop.
        conn.execute(
            f"PRAGMA wal_autocheckpoint = {in_pages(WAL_BACKSTOP_BYTES, page_size(conn))}")
        # SQLite's printf spells a double's 17th digit wrongly at the extremes.
        conn.create_function(JSON_NUMBER_SQL, 1, json_number, deterministic=True)
    except sqlite3.Error as exc:
        conn.close()
        raise _open_error(path, exc) from None
    return conn


def page_size(conn: sqlite3.Connection) -> int:
    """The database's page size (for a file not yet written, the one it will get)."""
    return int(conn.execute("PRAGMA page_size").fetchone()[0])


def _enable_wal(conn: sqlite3.Connection) -> None:
    # Switching a new file to WAL needs an exclusive lock, and SQLite reports
    # "database is locked" at once, without its busy handler, when several
    # processes open the same fresh file together; so wait here instead.
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    delay = 0.001
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").close()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        else:
            return


def _open_error(path: Path, exc: sqlite3.Error) -> Exception:
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return FailedPreconditionError(
            f"{str(path)!r} is not a streamvis SQLite database ({exc}): give another data directory"
        )
    return UnavailableError(
        f"cannot open the SQLite database {str(path)!r} ({exc}): check that its "
        "directory exists and is writable"
    )


class SqliteSession(Session):
    def __init__(self, conn: sqlite3.Connection, where: str) -> None:
        super().__init__(SQLITE, where)
        self.conn = conn

    def run(
        self,
        sql: str,
        params: Sequence[object] = (),
        *,
        binary: bool = False,  # noqa: ARG002 -- SQLite returns blobs as they are
    ) -> Result:
        try:
            cur = self.conn.execute(sql, _adapt(params))
            try:
                return Result(cur.fetchall(), cur.rowcount)
            finally:
                cur.close()
        except sqlite3.Error as exc:
            if (err := _translate(exc, self.where)) is None:
                raise
            raise err from exc

    def run_many(self, sql: str, params: Iterable[Sequence[object]]) -> None:
        self._many(sql, (_adapt(p) for p in params))

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
    ) -> None:
        # The rows hold no UUID (Session.insert_rows): no `_adapt` of each, a tenth of
        # a batch of runs' time in SQLite (decision 0047).
        self._many(insert_sql(table, columns), rows)

    @contextmanager
    def roomy(self) -> Iterator[None]:
        # A batch of 5,000 runs inserts at random places of the handle, tag and value
        # indexes; at 100,000 runs these outgrow the default 2 MB cache, and a batch
        # read their pages again and again: 83 -> 52 µs a run in the store with 64 MB
        # (decision 0047). Set back after, which frees the pages: a pooled idle
        # connection keeps no more than before.
        before = int(self.conn.execute("PRAGMA cache_size").fetchone()[0])
        self.conn.execute(f"PRAGMA cache_size = -{_BATCH_CACHE_KIB}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {before}")

    def _many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        try:
            self.conn.executemany(sql, rows).close()
        except sqlite3.Error as exc:
            if (err := _translate(exc, self.where)) is None:
                raise
            raise err from exc

    def rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite rolls back by itself when a statement fails fatally


def _adapt(params: Sequence[object]) -> Sequence[object]:
    """The parameters with each UUID as its text. Most rows hold none: a type test in C
    first, since a comprehension per row of a batch cost a tenth of CreateRuns."""
    if uuid.UUID not in map(type, params):
        return params  # a UUID subclass SQLite refuses loudly, not silently
    return [str(p) if isinstance(p, uuid.UUID) else p for p in params]


def _translate(exc: sqlite3.Error, where: str) -> Exception | None:
    text = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        if "FOREIGN KEY" in text:
            return ForeignKeyViolation(text)
        if "UNIQUE" in text or "PRIMARY KEY" in text:
            return UniqueViolation(text)
    if "locked" in text or "busy" in text:
        return UnavailableError(
            f"the SQLite database {where} stayed locked by another process for "
            f"{_BUSY_TIMEOUT_S:.0f} s: try again, or stop the other process"
        )
    if "full" in text:
        return ResourceExhaustedError(f"the SQLite database {where}: {text}: free disk space")
    if isinstance(exc, sqlite3.OperationalError) and "I/O" in text:
        return UnavailableError(f"the SQLite database {where}: {text}: check the disk")
    return None


class SqliteStore(SqlStore):
    """The store in one SQLite database file (see `open_store` for a directory)."""

    dialect = SQLITE

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        if sqlite3.sqlite_version_info < _MIN_VERSION:
            raise FailedPreconditionError(
                f"SQLite {sqlite3.sqlite_version} is too old: streamvis needs "
                f"{'.'.join(map(str, _MIN_VERSION))} or newer (upgrade Python or SQLite)"
            )
        self.path = Path(path)
        self.location = repr(str(self.path))
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False
        conn = connect(self.path)
        try:
            _enable_wal(conn)
            self._checkpoints = Checkpointer(lambda: connect(self.path), self.path, in_pages(
                CHECKPOINT_BYTES, page_size(conn)))
            migrate(SqliteSession(conn, self.location), self.location)
        except sqlite3.Error as exc:
            conn.close()
            raise _open_error(self.path, exc) from None
        except BaseException:
            conn.close()
            raise
        self._idle.append(conn)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        conn = self._checkout()
        try:
            yield SqliteSession(conn, self.location)
        finally:
            self._checkin(conn)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with super()._write() as s:
            yield s
        self._checkpoints.after_commit()

    def _checkout(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._closed:
                raise FailedPreconditionError(f"the store {self.location} is closed: open it again")
            if self._idle:
                return self._idle.pop()
        return connect(self.path)

    def _checkin(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:  # only after an error the session could not undo
            conn.close()
            return
        with self._pool_lock:
            if not self._closed and len(self._idle) < _MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        self._checkpoints.close()
        with self._pool_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


__all__ = ["FILE_NAME", "SqliteSession", "SqliteStore", "connect"]
