"""Fixtures of the store contract suite: every test runs on SQLite and PostgreSQL.

Creating a PostgreSQL database takes a good part of a second, so the contract
tests share one, emptied before each test; tests of what happens to a whole
database (migrations, crashes) take a fresh one from `pg_dsn`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from streamvis.model.events import Event
from streamvis.model.schema import FieldType
from streamvis.store import Store, bucket_rows, open_store, summaries
from streamvis.testing import scratch_database

from .helpers import Schema

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

# Children before parents, for the foreign keys.
_TABLES = (
    "controls",
    "artifacts",
    "media_refs",
    "blob_parts",
    "blobs",
    "dashboards",
    "plots",
    "append_keys",
    "line_heads",
    "line_buckets",
    "line_summaries",
    "line_groups",
    "chunks",
    "run_attributes",
    "run_tags",
    "runs",
    "series_fields",
    "series",
    "fields",
)


@pytest.fixture(scope="session")
def pg_shared_dsn(pg_admin_dsn: str) -> Iterator[str]:
    """A database at the latest schema version, for the whole session."""
    with scratch_database(pg_admin_dsn, prefix="streamvis_store") as dsn:
        open_store(dsn).close()
        yield dsn


def _empty(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        for table in _TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("UPDATE seq_counter SET value = 0")


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where an empty store lives: a data directory, or an emptied PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "data")
    dsn: str = request.getfixturevalue("pg_shared_dsn")
    _empty(dsn)
    return dsn


@pytest.fixture(params=BACKENDS)
def fresh_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where no store has been yet: a new data directory, or a new database."""
    if request.param == "sqlite":
        return str(tmp_path / "data")
    dsn: str = request.getfixturevalue("pg_dsn")
    return dsn


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    with open_store(location) as s:
        yield s


@pytest.fixture
def events(store: Store) -> Iterator[list[Event]]:
    """Every event the store publishes during the test, in order."""
    seen: list[Event] = []
    unsubscribe = store.events.subscribe(seen.append)
    yield seen
    unsubscribe()


@pytest.fixture
def schema(store: Store) -> Schema:
    """A few fields and the series train = (step, loss)."""
    step = store.create_field("step", FieldType.INT, "optimizer step")
    loss = store.create_field("loss", FieldType.FLOAT)
    lr = store.create_field("lr", FieldType.FLOAT)
    optimizer = store.create_field("optimizer", FieldType.STRING)
    seed = store.create_field("seed", FieldType.INT)
    good = store.create_field("good", FieldType.BOOL)
    train = store.create_series("train", ["step", "loss"])
    return Schema(step, loss, lr, optimizer, seed, good, train)


@pytest.fixture
def small_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Line summaries' buckets of 4 rows, 2 per level, as appends write them."""
    monkeypatch.setattr(summaries, "BASE", 4)
    monkeypatch.setattr(bucket_rows, "BASE", 4)
    monkeypatch.setattr(summaries, "FACTOR", 2)
