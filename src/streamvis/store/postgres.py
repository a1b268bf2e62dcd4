"""The shared store: PostgreSQL through a psycopg connection pool.

Several server replicas may use one database. Writers run under READ COMMITTED
and lock only what they change; reads that take several statements see one
snapshot (REPEATABLE READ READ ONLY). Migrations run on a connection of their
own under an advisory lock, before the pool opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg.errors
from psycopg import pq
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from streamvis.model.errors import (
    FailedPreconditionError,
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
from streamvis.store.sql import SqlStore

Connection = psycopg.Connection[tuple[Any, ...]]
_CONNECT_TIMEOUT_S = 10


def describe(dsn: str) -> str:
    """The DSN as a URL without its password, to name the database in messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise InvalidArgumentError(f"cannot read the PostgreSQL URL: {exc}") from None
    user = f"{info['user']}@" if info.get("user") else ""
    host = info.get("host") or "localhost"
    port = info.get("port") or 5432
    return f"postgresql://{user}{host}:{port}/{info.get('dbname') or ''}"


def connect(dsn: str) -> Connection:
    """One autocommit connection (the store issues BEGIN and COMMIT itself)."""
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as exc:
        raise UnavailableError(
            f"cannot connect to PostgreSQL at {describe(dsn)}: {str(exc).strip()}: check "
            "that the server runs, the database exists and the URL is right"
        ) from None
    except psycopg.ProgrammingError as exc:
        raise InvalidArgumentError(
            f"cannot use the PostgreSQL URL {describe(dsn)}: {exc}"
        ) from None


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


class PostgresStore(SqlStore):
    """The store in a PostgreSQL database, given by a libpq URL or DSN."""

    dialect = POSTGRES

    def __init__(
        self,
        dsn: str,
        *,
        min_connections: int = 1,
        max_connections: int = 10,
        timeout: float = 30.0,
    ) -> None:
        super().__init__()
        self.location = describe(dsn)
        with connect(dsn) as conn:
            migrate(PostgresSession(conn, self.location), self.location)
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            dsn,
            min_size=min_connections,
            max_size=max_connections,
            kwargs={"autocommit": True, "connect_timeout": _CONNECT_TIMEOUT_S},
            timeout=timeout,
            # One cheap round trip per checkout, so a connection broken by a
            # server restart is replaced instead of failing a request.
            check=ConnectionPool.check_connection,
            name="streamvis",
            open=True,
        )

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            conn = self._pool.getconn()
        except PoolTimeout:
            raise UnavailableError(
                f"no connection to PostgreSQL at {self.location} came free or could be "
                "opened in time: check the server, or raise max_connections"
            ) from None
        except PoolClosed:
            raise FailedPreconditionError(
                f"the store at {self.location} is closed: open it again"
            ) from None
        try:
            yield PostgresSession(conn, self.location)
        finally:
            self._pool.putconn(conn)

    def close(self) -> None:
        self._pool.close()


__all__ = ["PostgresSession", "PostgresStore", "connect", "describe"]
