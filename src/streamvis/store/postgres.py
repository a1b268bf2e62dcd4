"""The shared store: PostgreSQL through a psycopg connection pool.

Several server replicas may use one database. Writers run under READ COMMITTED
and lock only what they change; reads that take several statements see one
snapshot (REPEATABLE READ READ ONLY). Migrations run on a connection of their
own under an advisory lock, before the pool opens.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
import psycopg.errors
from psycopg import pq

from streamvis.model.errors import (
    InvalidArgumentError,
    ResourceExhaustedError,
    UnavailableError,
)
from streamvis.store.dialect import (
    POSTGRES,
    ForeignKeyViolation,
    Result,
    Session,
    UniqueViolation,
)
from streamvis.store.migrations import migrate
from streamvis.store.pg_pool import Connection, ConnectionPool, connect, describe
from streamvis.store.sql import SqlStore

log = logging.getLogger("streamvis.store")


class PostgresSession(Session):
    def __init__(self, conn: Connection, where: str) -> None:
        super().__init__(POSTGRES, where)
        self.conn = conn

    def run(self, sql: str, params: Sequence[object] = (), *, binary: bool = False) -> Result:
        query = self.dialect.sql(sql)
        try:
            with self.conn.cursor(binary=binary) as cur:
                cur.execute(query, params)
                rows = cur.fetchall() if cur.description is not None else []
                return Result(rows, cur.rowcount)
        except psycopg.Error as exc:
            if (err := _translate(exc, self.where)) is None:
                raise
            raise err from exc

    def run_many(self, sql: str, params: Iterable[Sequence[object]]) -> None:
        query = self.dialect.sql(sql)
        try:
            with self.conn.cursor() as cur:
                cur.executemany(query, params)
        except psycopg.Error as exc:
            if (err := _translate(exc, self.where)) is None:
                raise
            raise err from exc

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
    ) -> None:
        # COPY: one stream for the lot, against one round trip per row's INSERT (a batch
        # of runs went in at about 1,200 runs/s that way).
        try:
            with self.conn.cursor() as cur, \
                    cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            if (err := _translate(exc, self.where)) is None:
                raise
            raise err from exc

    def rollback(self) -> None:
        try:
            if self.conn.info.transaction_status != pq.TransactionStatus.IDLE:
                self.conn.execute("ROLLBACK")
        except psycopg.Error:
            pass  # the connection is gone; the pool will discard it


def _translate(exc: psycopg.Error, where: str) -> Exception | None:
    if isinstance(exc, psycopg.errors.UniqueViolation):
        return UniqueViolation(str(exc))
    if isinstance(exc, psycopg.errors.ForeignKeyViolation):
        return ForeignKeyViolation(str(exc))
    if isinstance(exc, psycopg.DataError):
        # The request's own values: a NUL character in a string (text cannot hold one,
        # SQLite can), or a JSON escape PostgreSQL refuses. The transaction rolls back.
        detail = str(exc).strip().splitlines()[0]
        return InvalidArgumentError(
            f"PostgreSQL refused a value of this request ({detail}): remove "
            "NUL characters (\\x00, \\u0000) from strings and try again"
        )
    if isinstance(exc, psycopg.errors.InsufficientResources):
        return ResourceExhaustedError(f"PostgreSQL at {where}: {exc}: free space or memory")
    if isinstance(exc, psycopg.OperationalError):
        return UnavailableError(
            f"PostgreSQL at {where} failed: {str(exc).strip()}: check that the server "
            "is up, then try again"
        )
    return None


def _check_autovacuum(conn: Connection, where: str) -> None:
    """Warn once, at start, where the database never gathers statistics by itself.
    Line plots join the buckets a zoom asks for to their
    chunks by a plan made from statistics: never analyzed, a zoom asking for 30
    buckets of a 1 B-point line scanned every chunk of the run for each, 48-76 ms
    in the database instead of 0.2 ms (decision 0061)."""
    row = conn.execute("SELECT setting FROM pg_settings WHERE name = 'autovacuum'").fetchone()
    if row is not None and row[0] == "off":
        log.warning(
            "PostgreSQL at %s runs with autovacuum off: its tables' statistics are "
            "gathered only by ANALYZE, and queries planned without them can be many "
            "times slower. Turn autovacuum on, or run ANALYZE after large imports "
            "(docs/deployment.md#postgresql)", where)


class PostgresStore(SqlStore):
    """The store in a PostgreSQL database, given by a libpq URL or DSN."""

    dialect = POSTGRES

    def __init__(
        self,
        dsn: str,
        *,
        max_connections: int = 10,
        timeout: float = 30.0,
    ) -> None:
        super().__init__()
        self.location = describe(dsn)
        with connect(dsn) as conn:
            migrate(PostgresSession(conn, self.location), self.location)
            _check_autovacuum(conn, self.location)
        # `timeout`: how long a request waits for a connection others are using. A
        # database that cannot be reached fails a request at once (pg_pool).
        self._pool = ConnectionPool(dsn, max_size=max_connections, timeout=timeout)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        conn = self._pool.getconn()
        try:
            yield PostgresSession(conn, self.location)
        finally:
            self._pool.putconn(conn)

    def close(self) -> None:
        self._pool.close()


__all__ = ["PostgresSession", "PostgresStore", "connect", "describe"]
