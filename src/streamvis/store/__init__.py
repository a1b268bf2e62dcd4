"""Storage: the `Store` interface and its SQLite and PostgreSQL implementations."""

from __future__ import annotations

import re
from pathlib import Path

from streamvis.model.chunks import AppendResult, Chunk, ChunkInfo
from streamvis.store.base import Store

_PG_SCHEMES = ("postgresql://", "postgres://")
# A libpq key=value connection string ("host=db dbname=streamvis user=me"), which is
# what psycopg's own tools produce; told apart from a directory by its keywords.
_CONNINFO_PAIR = re.compile(r"\s*(\w+)\s*=\s*(?:'(?:[^'\\]|\\.)*'|[^\s']+)\s*")
_CONNINFO_KEYS = frozenset(
    {"host", "hostaddr", "port", "dbname", "user", "password", "service", "sslmode"}
)


def is_postgres_location(location: str) -> bool:
    """Whether `location` names a PostgreSQL database rather than a data directory."""
    if location.startswith(_PG_SCHEMES):
        return True
    keys = []
    pos = 0
    while pos < len(location):
        m = _CONNINFO_PAIR.match(location, pos)
        if m is None:
            return False
        keys.append(m.group(1))
        pos = m.end()
    return any(k in _CONNINFO_KEYS for k in keys)


def open_store(location: str) -> Store:
    """Open the store at `location`, migrating its schema to the latest version.

    A `postgresql://` or `postgres://` URL (or a libpq "host=... dbname=..."
    string) opens a PostgreSQL database; anything else names a data directory
    (created if missing) that holds the embedded SQLite database.
    """
    if is_postgres_location(location):
        from streamvis.store.postgres import PostgresStore  # noqa: PLC0415 -- psycopg only when used

        return PostgresStore(location)
    from streamvis.model.errors import UnavailableError  # noqa: PLC0415
    from streamvis.store.sqlite import FILE_NAME, SqliteStore  # noqa: PLC0415

    directory = Path(location).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UnavailableError(
            f"cannot create the data directory {str(directory)!r} ({exc.strerror}): "
            "give a directory you can write to"
        ) from None
    return SqliteStore(directory / FILE_NAME)


__all__ = ["AppendResult", "Chunk", "ChunkInfo", "Store", "is_postgres_location", "open_store"]
