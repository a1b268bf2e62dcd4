"""Connections to one PostgreSQL database: opened on demand, checked, failing fast.

psycopg_pool waited for a connection up to its timeout (30 s) while PostgreSQL was
away, reconnecting in the background with a backoff that grows past 8 s, so calls
hung for 30 s during an outage and kept failing for seconds after it ended. Here a
request that finds no healthy idle connection opens one itself, at once: while the
database is away that fails with UNAVAILABLE in milliseconds (refused) or after
CONNECT_TIMEOUT_S (unreachable), and the first request after it is back connects. A
request waits only for connections other requests are using (`max_size` reached).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
from psycopg import pq

from streamvis.model.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    UnavailableError,
)

Connection = psycopg.Connection[tuple[Any, ...]]

#: The least libpq (and psycopg) allow.
CONNECT_TIMEOUT_S = 2
#: Every connection the store and its relay open: autocommit (the store issues BEGIN
#: and COMMIT itself), and TCP settings under which a connection to a host that
#: vanished without a reset fails within about 10 s rather than the kernel's hours.
CONNECT_KWARGS: dict[str, Any] = {
    "autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S, "keepalives": 1,
    "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


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
    """One new connection with CONNECT_KWARGS, or UNAVAILABLE saying why not."""
    try:
        return psycopg.connect(dsn, **CONNECT_KWARGS)
    except psycopg.OperationalError as exc:
        raise UnavailableError(
            f"cannot connect to PostgreSQL at {describe(dsn)}: {str(exc).strip()}: check "
            "that the server runs, the database exists and the URL is right"
        ) from None
    except psycopg.ProgrammingError as exc:
        raise InvalidArgumentError(
            f"cannot use the PostgreSQL URL {describe(dsn)}: {exc}"
        ) from None


def _alive(conn: Connection) -> bool:
    """One empty round trip: a connection broken by a restart fails it at once."""
    if conn.closed:
        return False
    try:
        conn.execute("")
    except psycopg.Error:
        return False
    return True


class ConnectionPool:
    """Up to `max_size` connections to `dsn`, kept open between requests."""

    def __init__(self, dsn: str, *, max_size: int, timeout: float) -> None:
        self.dsn = dsn
        self.location = describe(dsn)
        self.max_size = max_size
        self.timeout = timeout
        self._idle: list[Connection] = []
        self._count = 0  # connections out, idle, or being opened
        self._changed = threading.Condition()
        self._closed = False

    def getconn(self) -> Connection:
        """A working connection; UNAVAILABLE when the database cannot be reached."""
        deadline = time.monotonic() + self.timeout
        conn = self._reserve(deadline)
        if conn is not None:
            if _alive(conn):
                return conn
            # The database restarted or went away: the other idle ones are broken too.
            conn.close()
            self._discard_idle()
        try:  # in the place reserved (or the broken connection's)
            return connect(self.dsn)
        except BaseException:
            self._release()
            raise

    def putconn(self, conn: Connection) -> None:
        healthy = not conn.closed and conn.info.transaction_status == pq.TransactionStatus.IDLE
        with self._changed:
            if healthy and not self._closed:
                self._idle.append(conn)
                self._changed.notify()
                return
        conn.close()
        self._release()

    def close(self) -> None:
        with self._changed:
            self._closed = True
        self._discard_idle()

    def _reserve(self, deadline: float) -> Connection | None:
        """An idle connection, or None with a place reserved to open one."""
        with self._changed:
            while True:
                if self._closed:
                    raise FailedPreconditionError(
                        f"the store at {self.location} is closed: open it again")
                if self._idle:
                    return self._idle.pop()  # the most recently used: surely warm
                if self._count < self.max_size:
                    self._count += 1
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    raise UnavailableError(
                        f"all {self.max_size} connections to PostgreSQL at {self.location} "
                        f"stayed busy for {self.timeout:g} s: try again, or raise "
                        "max_connections"
                    )
                self._changed.wait(left)

    def _release(self, n: int = 1) -> None:
        with self._changed:
            self._count -= n
            self._changed.notify(n)

    def _discard_idle(self) -> None:
        with self._changed:
            stale, self._idle = self._idle, []
        for conn in stale:
            conn.close()
        if stale:
            self._release(len(stale))
