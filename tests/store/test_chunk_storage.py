"""How blobs are stored past 2 KB: on PostgreSQL compressed with lz4, not pglz (migration
16, which a store of migration 15 gets on open); chunks read back as they were written."""

from __future__ import annotations

import uuid

import numpy as np
import pyarrow as pa

from streamvis.model.schema import FieldType, RunFilter
from streamvis.store import is_postgres_location, open_store
from streamvis.store.migrations import _BLOB_TABLES, LATEST, migrate

from .helpers import raw_session

ROWS = 20_000


def _columns(seed: int) -> dict[str, pa.Array]:
    # Steps and two values repeated: the chunk's own lz4 leaves much for the database's
    # compression to find (82 KB -> 2.5 KB with lz4, 3 KB with pglz).
    step = np.arange(seed * ROWS, (seed + 1) * ROWS, dtype=np.int64)
    return {"step": pa.array(step), "loss": pa.array(np.repeat([0.5, 0.25], ROWS // 2))}


def test_blobs_past_2_kb_are_compressed_with_lz4(fresh_location: str) -> None:
    run = uuid.uuid4()
    with raw_session(fresh_location) as s:
        assert migrate(s, fresh_location, target=15) == 15
    with open_store(fresh_location) as store:  # migrates to the latest on open
        store.create_field("step", FieldType.INT)
        store.create_field("loss", FieldType.FLOAT)
        store.create_series("train", ["step", "loss"])
        store.create_run(run)
        for seed in range(2):
            store.append(run, "train", _columns(seed))
        got = pa.Table.from_batches([c.batch for c in store.query(RunFilter(), "train")])
    assert got.column("step").to_pylist() == list(range(2 * ROWS))
    assert got.column("loss").to_pylist() == np.tile(
        np.repeat([0.5, 0.25], ROWS // 2), 2).tolist()
    with raw_session(fresh_location) as s:
        assert int(s.scalar("SELECT version FROM schema_version")) == LATEST
        if not is_postgres_location(fresh_location):
            return
        methods: dict[str, str] = dict(s.all(
            "SELECT c.relname, a.attcompression FROM pg_attribute a JOIN pg_class c "
            "ON c.oid = a.attrelid WHERE a.attname = 'data' AND c.relname IN "
            f"({', '.join(repr(t) for t in _BLOB_TABLES)})"))
        assert methods == dict.fromkeys(_BLOB_TABLES, "l")
        for kept, size, method in s.all(
                "SELECT pg_column_size(data), octet_length(data), "
                "pg_column_compression(data) FROM chunks"):
            assert method == "lz4" and kept < size / 10
