"""Shared fixtures: a fresh PostgreSQL database per test, found or refused loudly; a
virtualenv installed as `scripts/run` installs.

The PostgreSQL server comes from STREAMVIS_TEST_PG_DSN (scripts/test sets it), or
the local default. Where none answers, PostgreSQL tests skip on a developer's machine
but fail under CI=true, so CI never passes without having run them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pytest

from streamvis.model.types import NUMERIC, TYPES, FieldType, TypeRow
from streamvis.testing import ServerProcess, admin_pg_dsn, scratch_database, scratch_store

# A logger captures its command, git, environment and console by default; only the
# tests of capture (tests/logger/test_capture.py and its peers) turn it back on.
os.environ["STREAMVIS_CAPTURE"] = "0"

ROOT = Path(__file__).resolve().parents[1]
#: Made once, git-ignored, and kept while pyproject.toml and the build hook are
#: unchanged (scripts/setup's stamp); the first test that needs it waits a minute or two.
RUN_VENV = ROOT / ".venv-run"


@pytest.fixture(scope="module")
def uri(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of the test module's own, for modules that log to one and read back
    (tests/served.py); a fixture nearer the test may give another."""
    name = request.module.__name__.rpartition(".")[2]
    with ServerProcess(str(tmp_path_factory.mktemp(name))) as proc:
        yield proc.uri


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The logger's spool and caches in the test's own directory, never ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


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
        wire_column="ints", host=np.dtype(np.int64), python=int, scalars=frozenset({int}),
        kinds="iu", value_column="v_int", parse_text=int, json_kind="number",
        continuous=True,
    ))
    try:
        yield handle
    finally:
        TYPES.unregister("timestamp")


@pytest.fixture(scope="session")
def run_only_env() -> dict[str, str]:
    """The environment in which scripts/setup and scripts/run use RUN_VENV, not .venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    # Tests need no web UI in it, and building one here would run npm in frontend/.
    # The tests' own Python makes it, so the blocks run on the version the tests do.
    env.update(STREAMVIS_VENV=str(RUN_VENV), STREAMVIS_SKIP_UI_BUILD="1",
               PYTHON=sys.executable)
    return env


@pytest.fixture(scope="session")
def run_only_venv(run_only_env: dict[str, str]) -> Path:
    """The bin/ folder of a virtualenv with what `scripts/run` installs, and no more."""
    result = subprocess.run([str(ROOT / "scripts" / "setup")], env=run_only_env,
                            capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, f"scripts/setup failed:\n{result.stdout}{result.stderr}"
    return RUN_VENV / "bin"
