"""Shared fixtures: a fresh PostgreSQL database per test, found or refused loudly.

The PostgreSQL server comes from STREAMVIS_TEST_PG_DSN (scripts/test sets it), or
the local default. Where none answers, PostgreSQL tests skip on a developer's machine
but fail under CI=true, so CI never passes without having run them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import numpy as np
import psycopg
import pyarrow as pa
import pytest

from streamvis.model.types import NUMERIC, TYPES, FieldType, TypeRow
from streamvis.testing import admin_pg_dsn, scratch_database, scratch_store


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    dsn = admin_pg_dsn()
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
    """The postgresql:// URL of a new, empty database, dropped after the test."""
    with scratch_database(pg_admin_dsn) as url:
        yield url


@pytest.fixture(scope="session")
def new_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], contextlib.AbstractContextManager[str]]:
    """`new_store(kind)`: a context giving a fresh store location of that kind."""

    @contextlib.contextmanager
    def make(kind: str) -> Iterator[str]:
        if kind == "postgres":
            request.getfixturevalue("pg_admin_dsn")  # skips, or fails under CI, without one
        with scratch_store(kind, "test", sqlite_dir=tmp_path_factory.mktemp("store")) as where:
            yield where

    return make


@pytest.fixture
def timestamp_type() -> Iterator[FieldType]:
    """A throwaway field type, registered for one test through the type registry only:
    `timestamp`, int64 on the wire and in storage, numeric (docs/ARCHITECTURE.md)."""
    handle = TYPES.register(TypeRow(
        "timestamp", pa.int64(), frozenset({NUMERIC}), "nanoseconds since the epoch",
        wire_column="ints", dtype=np.dtype(np.int64), python=int, scalars=frozenset({int}),
        kinds="iu", value_column="v_int", parse_text=int, json_kind="number",
        continuous=True,
    ))
    try:
        yield handle
    finally:
        TYPES.unregister("timestamp")
