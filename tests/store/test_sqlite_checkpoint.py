"""The WAL is copied into the database by the store's checkpoint thread, not by commits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa

from streamvis.model.schema import FieldType, RunFilter
from streamvis.store.sqlite import PAGE_SIZE, SqliteStore, connect
from streamvis.store.sqlite_checkpoint import (
    CHECKPOINT_BYTES,
    WAL_BACKSTOP_BYTES,
    Checkpointer,
    unchecked_pages,
)


@contextmanager
def wal_writer(tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection, Checkpointer]]:
    """A WAL database of 4 KiB pages with a table of blobs, its writer, and a
    checkpointer copying once 100 pages wait; both closed after."""
    path = tmp_path / "c.sqlite3"
    writer = connect(path)
    writer.execute("PRAGMA page_size = 4096")  # the sizes below count 4 KiB pages
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE t (b BLOB)")
    checkpoints = Checkpointer(lambda: connect(path), path, pages=100)
    try:
        yield path, writer, checkpoints
    finally:
        checkpoints.close()
        writer.close()


def test_commits_leave_the_copy_to_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SqliteStore(path)
    try:
        store.create_field("step", FieldType.INT)
        store.create_field("loss", FieldType.FLOAT)
        store.create_series("train", ["step", "loss"])
        run = store.create_run().handle
        before = store._checkpoints.runs
        # Twice the checkpoint's threshold of random values, which compress little.
        rows = 2 * CHECKPOINT_BYTES // 8
        store.append(run, "train", {"step": pa.array(np.arange(rows)),
                                    "loss": pa.array(np.random.default_rng(0).random(rows))})
        store._checkpoints.settle()
        assert store._checkpoints.runs > before
        assert path.stat().st_size >= CHECKPOINT_BYTES  # copied into the database file
        assert sum(c.batch.num_rows for c in store.query(RunFilter(), "train")) == rows
    finally:
        store.close()


def test_connections_checkpoint_by_themselves_only_past_the_backstop(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.sqlite3")
    try:
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == (
            WAL_BACKSTOP_BYTES // PAGE_SIZE)
    finally:
        conn.close()


def test_a_new_store_has_8_kib_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    new = SqliteStore(tmp_path / "new.sqlite3")
    try:
        with new._session() as s:
            assert s.scalar("PRAGMA page_size") == PAGE_SIZE == 8_192
        assert new._checkpoints._pages == CHECKPOINT_BYTES // PAGE_SIZE
    finally:
        new.close()
    old_path = tmp_path / "old.sqlite3"
    made = sqlite3.connect(old_path)  # as a store made before 8 KiB pages
    made.execute("PRAGMA page_size = 4096")
    made.execute("PRAGMA journal_mode = WAL")
    made.close()
    old = SqliteStore(old_path)
    try:
        with old._session() as s:
            assert s.scalar("PRAGMA page_size") == 4096
            # The thresholds are bytes: as many of its smaller pages.
            assert s.scalar("PRAGMA wal_autocheckpoint") == WAL_BACKSTOP_BYTES // 4096
        assert old._checkpoints._pages == CHECKPOINT_BYTES // 4096
        old.create_field("step", FieldType.INT)
        assert [f.name for f in old.list_fields()] == ["step"]
    finally:
        old.close()


def test_a_commit_leaves_its_pages_in_the_wal_until_the_thread_copies_them(
    tmp_path: Path,
) -> None:
    mib = 1 << 20
    with wal_writer(tmp_path) as (path, writer, checkpoints):
        wal_index = Path(f"{path}-shm")
        for _ in range(3):
            writer.execute("INSERT INTO t VALUES (?)", (bytes(mib),))
            checkpoints.after_commit()
        checkpoints.settle()
        assert path.stat().st_size >= 3 * mib  # the database file holds the pages
        writer.execute("INSERT INTO t VALUES (?)", (bytes(mib),))
        assert path.stat().st_size < 4 * mib  # the commit left its page in the WAL
        checkpoints.after_commit()
        checkpoints.settle()
        assert path.stat().st_size >= 4 * mib
        assert unchecked_pages(wal_index) == 0


def test_a_few_pages_wait_in_the_wal_for_more(tmp_path: Path) -> None:
    with wal_writer(tmp_path) as (path, writer, checkpoints):
        wal_index = Path(f"{path}-shm")
        writer.execute("INSERT INTO t VALUES (?)", (bytes(40 * 4096),))
        checkpoints.after_commit()
        checkpoints.settle()
        waiting = unchecked_pages(wal_index)
        assert waiting is not None and 40 <= waiting < 100
        assert checkpoints.runs == 0
        writer.execute("INSERT INTO t VALUES (?)", (bytes(80 * 4096),))
        checkpoints.after_commit()
        checkpoints.settle()
        assert checkpoints.runs == 1
        assert unchecked_pages(wal_index) == 0


def test_closing_the_store_ends_its_checkpoint_thread(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    store.create_field("step", FieldType.INT)  # a write commit starts the thread
    threads = [t for t in threading.enumerate() if t.name == "streamvis-checkpoint"]
    assert threads
    store.close()
    assert not any(t.is_alive() for t in threads)
    store.close()  # twice is harmless
