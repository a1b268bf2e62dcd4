"""Opening a store: locations, connection settings, and what cannot be opened."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from streamvis.model.errors import FailedPreconditionError, UnavailableError
from streamvis.model.schema import FieldType, RunFilter
from streamvis.store import is_postgres_location, open_store
from streamvis.store.postgres import PostgresStore, describe
from streamvis.store.sqlite import FILE_NAME, SqliteStore


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("postgresql://me@db:5432/streamvis", True),
        ("postgres://db/streamvis", True),
        ("host=127.0.0.1 port=5432 user=postgres dbname=x", True),
        ("dbname='my db' host=db", True),
        ("streamvis-data", False),
        ("./data/runs", False),
        ("/srv/a=b", False),
        ("a=b", False),
    ],
)
def test_postgres_locations(location: str, expected: bool) -> None:
    assert is_postgres_location(location) is expected


def test_data_directory_is_created(tmp_path: Path) -> None:
    where = tmp_path / "a" / "b"
    with open_store(str(where)) as store:
        assert isinstance(store, SqliteStore)
        store.create_field("x", FieldType.INT)
    assert (where / FILE_NAME).is_file()
    with open_store(str(where)) as store:
        assert [f.name for f in store.list_fields()] == ["x"]


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "x.sqlite3") as store:
        assert isinstance(store, SqliteStore)
        with store._read() as s:
            assert s.scalar("PRAGMA journal_mode") == "wal"
            assert s.scalar("PRAGMA synchronous") == 2  # FULL
            assert s.scalar("PRAGMA foreign_keys") == 1
            assert s.scalar("PRAGMA busy_timeout") >= 1000


def test_unusable_locations(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("not a directory")
    with pytest.raises(UnavailableError, match="data directory"):
        open_store(str(a_file))
    not_a_db = tmp_path / "junk"
    not_a_db.mkdir()
    (not_a_db / FILE_NAME).write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(FailedPreconditionError, match="not a streamvis SQLite database"):
        open_store(str(not_a_db))


@pytest.mark.postgres
def test_postgres_url_and_password_free_messages(pg_dsn: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(pg_dsn)
    url = f"postgres://{info['user']}@{info['host']}:{info['port']}/{info['dbname']}"
    with open_store(url) as store:
        assert isinstance(store, PostgresStore)
        assert store.list_runs(RunFilter()) == []
    assert describe("postgresql://me:secret@db:5433/x") == "postgresql://me@db:5433/x"


def test_unreachable_postgres() -> None:
    with pytest.raises(UnavailableError, match="cannot connect to PostgreSQL at"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")


def test_closed_store_refuses_use(location: str) -> None:
    store = open_store(location)
    store.close()
    with pytest.raises(FailedPreconditionError, match="closed"):
        store.list_fields()
