"""Fixtures of the web app tests: a store on SQLite and PostgreSQL, the app served by
a real uvicorn server on a free port, and clients for its HTTP API and WebSocket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from streamvis.model.schema import FieldType
from streamvis.store import Store, bucket_rows, open_store, summaries
from streamvis.testing import scratch_database
from streamvis.web import lod_summaries
from streamvis.web.http import WebConfig
from streamvis.web.serving import ThreadedWebServer, WebServer

from .helpers import Schema


@pytest.fixture(scope="module")
def pg_module_dsn(pg_admin_dsn: str) -> Iterator[str]:
    """One PostgreSQL database per test module: creating one costs about a second."""
    with scratch_database(pg_admin_dsn, prefix="streamvis_web") as dsn:
        yield dsn


def _empty(dsn: str) -> None:
    """Make a migrated streamvis database empty again, as a new one would be."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('schema_version', 'seq_counter')"
        )]
        if tables:
            conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in tables)))
            conn.execute("UPDATE seq_counter SET value = 0")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where an empty store lives: a data directory, or a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "data")
    dsn: str = request.getfixturevalue("pg_module_dsn")
    _empty(dsn)
    return dsn


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    with open_store(location) as s:
        yield s


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store only, for tests about the web app rather than the backend."""
    with open_store(str(tmp_path / "data")) as s:
        yield s


@pytest.fixture
def web_config() -> WebConfig:
    return WebConfig()


@pytest.fixture
def web(store: Store, web_config: WebConfig) -> Iterator[WebServer]:
    with ThreadedWebServer(store, web_config) as server:
        yield server


@pytest.fixture
def http(web: WebServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, timeout=30) as client:
        yield client


@pytest.fixture
def schema(store: Store) -> Schema:
    """Fields step, loss, lr, optimizer, layer, good; series train = (step, loss)
    and layers = (step, layer, loss)."""
    fields = {
        name: store.create_field(name, kind)
        for name, kind in (
            ("step", FieldType.INT), ("loss", FieldType.FLOAT), ("lr", FieldType.FLOAT),
            ("optimizer", FieldType.STRING), ("layer", FieldType.STRING),
            ("good", FieldType.BOOL),
        )
    }
    train = store.create_series("train", ["step", "loss"])
    layers = store.create_series("layers", ["step", "layer", "loss"])
    return Schema(fields, train, layers)


@pytest.fixture
def small_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Line summaries' buckets of 8 rows, 2 per level: a small line has many
    levels and edges (and is short, for raw_lines, up to 16 rows per pixel column)."""
    for module in (summaries, lod_summaries):
        monkeypatch.setattr(module, "BASE", 8)
        monkeypatch.setattr(module, "FACTOR", 2)
    monkeypatch.setattr(bucket_rows, "BASE", 8)
