"""Shared fixtures: a fresh PostgreSQL database per test, found or refused loudly.

The PostgreSQL server comes from STREAMVIS_TEST_PG_DSN (scripts/test sets it), or
the local default. Where none answers, PostgreSQL tests skip on a developer's machine
but fail under CI=true, so CI never passes without having run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _admin_dsn() -> str:
    return os.environ.get("STREAMVIS_TEST_PG_DSN", DEFAULT_DSN)


def _with_dbname(dsn: str, dbname: str) -> str:
    """The same server as `dsn`, database `dbname`, as a postgresql:// URL (what
    `streamvis serve --db` and `open_store` take)."""
    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    user = parts.get("user") or "postgres"
    host = parts.get("host") or "127.0.0.1"
    port = parts.get("port") or "5432"
    return f"postgresql://{user}@{host}:{port}/{dbname}"


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    dsn = _admin_dsn()
    try:
        with psycopg.connect(dsn, connect_timeout=5, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        message = (
            f"PostgreSQL is not reachable at {dsn!r} ({exc}); run scripts/test, which "
            "starts one, or set STREAMVIS_TEST_PG_DSN"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return dsn


@pytest.fixture
def pg_dsn(pg_admin_dsn: str) -> Iterator[str]:
    """The DSN of a new, empty database, dropped after the test."""
    name = f"streamvis_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_dbname(pg_admin_dsn, name)
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
