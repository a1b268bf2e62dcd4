"""postgres.py: what the PostgreSQL store checks of its server at start."""

from __future__ import annotations

import logging

import psycopg
import pytest

from streamvis.store.postgres import PostgresStore


def test_a_server_without_autovacuum_is_named_at_start(
    pg_dsn: str, caplog: pytest.LogCaptureFixture,
) -> None:
    # The warning follows the server's own setting (some test machines run PostgreSQL
    # with autovacuum off; a deployment keeps PostgreSQL's default, on).
    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute("SHOW autovacuum").fetchone()
    assert row is not None
    off = row[0] == "off"
    with caplog.at_level(logging.WARNING, logger="streamvis.store"):
        PostgresStore(pg_dsn).close()
    warned = [r.getMessage() for r in caplog.records if "autovacuum off" in r.getMessage()]
    assert len(warned) == (1 if off else 0)
    if off:
        assert "ANALYZE" in warned[0]
        assert "docs/deployment.md" in warned[0]


def test_reads_plan_for_their_own_parameters(pg_dsn: str) -> None:
    # A statement psycopg has prepared may get one generic plan for every parameter
    # value; reads ask PostgreSQL for a plan per execution (a page of 100 runs and all
    # of a filter's matches share a statement: decision 0061). Writes keep the default.
    store = PostgresStore(pg_dsn)
    try:
        with store._read() as s:
            for _ in range(7):  # past psycopg's threshold for preparing it
                assert s.scalar("SELECT current_setting('plan_cache_mode')") == \
                    "force_custom_plan"
        with store._write() as s:
            assert s.scalar("SELECT current_setting('plan_cache_mode')") == "auto"
    finally:
        store.close()
