"""Schema migrations: a fresh database, an upgrade with data in it, a newer one refused."""

from __future__ import annotations

import threading
import uuid

import pyarrow as pa
import pytest

from streamvis.model.errors import FailedPreconditionError
from streamvis.model.schema import Field, FieldType, RunFilter, Series
from streamvis.store import Store, migrations, open_store
from streamvis.store.chunks import encode_chunk
from streamvis.store.migrations import Step, migrate

from .helpers import raw_session


def version_and_tables(location: str) -> tuple[int, set[str]]:
    with raw_session(location) as s:
        version = int(s.scalar("SELECT version FROM schema_version"))
        if s.dialect.name == "sqlite":
            rows = s.all("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            rows = s.all("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return version, {r[0] for r in rows} - {"sqlite_sequence"}


V1_TABLES = {
    "schema_version",
    "fields",
    "series",
    "series_fields",
    "runs",
    "run_tags",
    "run_attributes",
    "chunks",
    "seq_counter",
}


def test_fresh_database_is_at_the_latest_version(fresh_location: str) -> None:
    with open_store(fresh_location):
        pass
    assert version_and_tables(fresh_location) == (
        migrations.LATEST,
        {*V1_TABLES, "append_keys", "plots", "dashboards", "blobs", "blob_parts", "artifacts",
         "controls", "line_summaries", "media_refs", "line_heads", "line_buckets", "line_groups"},
    )
    with open_store(fresh_location) as store:  # opening again changes nothing
        assert store.list_fields() == []
    assert version_and_tables(fresh_location)[0] == migrations.LATEST


def test_upgrade_from_version_1_keeps_data(fresh_location: str) -> None:
    run_handle, step_handle, loss_handle = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    batch = pa.RecordBatch.from_arrays(
        [pa.array([1, 2], pa.int64()), pa.array([0.5, 0.25])], names=["step", "loss"]
    )
    with raw_session(fresh_location) as s:
        assert migrate(s, fresh_location, target=1) == 1
        s.begin(write=True)
        step = s.scalar(
            "INSERT INTO fields (handle, name, type, description) "
            "VALUES (?, 'step', 'int', 'the step') RETURNING id",
            (step_handle,),
        )
        loss = s.scalar(
            "INSERT INTO fields (handle, name, type) VALUES (?, 'loss', 'float') RETURNING id",
            (loss_handle,),
        )
        series = s.scalar("INSERT INTO series (name) VALUES ('train') RETURNING id")
        s.run_many(
            "INSERT INTO series_fields (series_id, field_id, position) VALUES (?, ?, ?)",
            [(series, step, 0), (series, loss, 1)],
        )
        run = s.scalar(
            "INSERT INTO runs (handle, started_at) VALUES (?, 5.0) RETURNING id", (run_handle,)
        )
        s.run("INSERT INTO run_tags (run_id, tag) VALUES (?, 'old')", (run,))
        s.run("INSERT INTO run_attributes (run_id, field_id, v_int) VALUES (?, ?, 7)", (run, step))
        s.run("UPDATE seq_counter SET value = 1")
        s.run(
            "INSERT INTO chunks (sequence, run_id, series_id, row_count, data) "
            "VALUES (1, ?, ?, 2, ?)",
            (run, series, encode_chunk(batch, [step_handle, loss_handle])),
        )
        s.commit()
    assert version_and_tables(fresh_location) == (1, V1_TABLES)

    with open_store(fresh_location) as store:
        assert version_and_tables(fresh_location)[0] == migrations.LATEST
        assert store.list_fields() == [
            Field(loss_handle, "loss", FieldType.FLOAT),
            Field(step_handle, "step", FieldType.INT, "the step"),
        ]
        assert store.list_series() == [Series("train", ("step", "loss"))]
        (old,) = store.list_runs(RunFilter())
        assert (old.handle, old.started_at, old.tags, old.attributes) == (
            run_handle,
            5.0,
            ("old",),
            {"step": 7},
        )
        (chunk,) = store.query(RunFilter(), "train")
        assert chunk.sequence == 1
        assert chunk.batch.to_pydict() == {"step": [1, 2], "loss": [0.5, 0.25]}
        # The old chunk had no line summary: its first read builds and stores one.
        with raw_session(fresh_location) as s:
            assert s.scalar("SELECT COUNT(*) FROM line_summaries") == 0
        built = store.line_summaries(run_handle, "train", "loss")
        assert built is not None and built.counts.tolist() == [1]
        assert built.records["max_y"].tolist() == [0.5]
        with raw_session(fresh_location) as s:
            assert s.scalar("SELECT COUNT(*) FROM line_summaries") == 1
        # A migrated store has no group rows: a line over old chunks reads their heads
        # (line_tops), storing a group once there are whole ones.
        tops = store.line_tops(run_handle, "train", "loss")
        assert tops is not None and tops.whole == 0 and tops.tops["max_y"].tolist() == [0.5]
        # What version 2 brought works, and sequences carry on.
        columns = {"step": pa.array([3]), "loss": pa.array([0.1])}
        first = store.append(run_handle, "train", columns, idempotency_key="k")
        assert (first.sequence, first.duplicate) == (2, False)
        assert store.append(run_handle, "train", columns, idempotency_key="k").duplicate
        # And what version 3 brought.
        store.save_plot("p", {"kind": "line"})
        assert store.list_plots() == [{"kind": "line"}]


def test_newer_database_is_refused(fresh_location: str) -> None:
    with open_store(fresh_location):
        pass
    with raw_session(fresh_location) as s:
        s.run("UPDATE schema_version SET version = 99")
    with pytest.raises(FailedPreconditionError, match=r"schema version 99.*upgrade streamvis"):
        open_store(fresh_location)


def test_failed_step_leaves_the_previous_version(
    fresh_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(fresh_location):
        pass
    latest = migrations.LATEST
    broken = Step(latest + 1, "broken", ("CREATE TABLE extra (x INTEGER)", "NOT SQL AT ALL"))
    monkeypatch.setattr(migrations, "STEPS", (*migrations.STEPS, broken))
    monkeypatch.setattr(migrations, "LATEST", latest + 1)
    with pytest.raises(Exception, match=r"(?i)syntax"):
        open_store(fresh_location)
    version, tables = version_and_tables(fresh_location)
    assert version == latest
    assert "extra" not in tables


def test_concurrent_openers_migrate_once(fresh_location: str) -> None:
    stores: list[Store] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_one() -> None:
        barrier.wait()
        try:
            stores.append(open_store(fresh_location))
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for store in stores:
        store.close()
    assert errors == []
    assert version_and_tables(fresh_location)[0] == migrations.LATEST
