"""Reading what a line plot needs without reading whole columns: summaries, some chunks.

`line_summaries` returns one run's per-chunk summaries of a field (store/summaries.py),
building and storing those of chunks appended before summaries existed (a store
migrated from an older version) on that first read. `read_chunks` decodes only the
chunks it is asked for: the reduction reads raw rows only where a pixel column's
edge cuts through a bucket.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError
from streamvis.store.chunks import decode_chunk
from streamvis.store.core import SqlCore, check_handle
from streamvis.store.dialect import Session, marks
from streamvis.store.filters import FieldRow
from streamvis.store.summaries import (
    LineSummaries,
    chunk_summaries,
    decode,
    field_plan,
    plan_fields,
)

_INSERT = (
    "INSERT INTO line_summaries (chunk_id, field_id, x_field_id, data) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (chunk_id, field_id) DO NOTHING"
)
#: Chunks summarized per transaction when building the summaries of old chunks.
_BACKFILL_GROUP = 64


def insert_summaries(s: Session, chunk_id: int, rows: Sequence[tuple[int, int, bytes]]) -> None:
    """Store one chunk's summaries, inside the transaction that appends it."""
    if rows:
        s.run_many(_INSERT, [(chunk_id, f, x, data) for f, x, data in rows])


class LineMethods(SqlCore):
    """line_summaries, read_chunks."""

    def line_summaries(
        self, run: uuid.UUID, series: str, field: str, after_sequence: int = 0,
    ) -> LineSummaries | None:
        handle = check_handle(run)
        with self._read() as s:
            run_id = self._run_id(s, handle)
            series_id, _, frows = self._series(s, series)
            x_at, ys = plan_fields(field_plan(frows))
            target = next((frows[i] for i in ys if frows[i].field.name == field), None)
            if x_at is None or target is None:
                return None
            listed = self._listed(s, run_id, series_id, target.id, after_sequence)
        missing = [(cid, seq) for cid, seq, _, data in listed if data is None]
        if missing:
            built = self._backfill(missing, frows, target.id)
            listed = [(cid, seq, n, built.get(cid, data) if data is None else data)
                      for cid, seq, n, data in listed]
        blobs = [bytes(d or b"") for *_, d in listed]
        records, counts = decode([b for b in blobs if b])
        every = np.zeros(len(blobs), np.int64)
        every[[i for i, b in enumerate(blobs) if b]] = counts
        return LineSummaries(
            x=frows[x_at].field.name,
            sequences=np.array([seq for _, seq, _, _ in listed], np.int64),
            rows=np.array([n for _, _, n, _ in listed], np.int64),
            records=records, counts=every,
        )

    def _listed(
        self, s: Session, run_id: int, series_id: int, field_id: int, after: int,
    ) -> list[tuple[int, int, int, bytes | None]]:
        rows = s.all(
            "SELECT c.id, c.sequence, c.row_count, ls.data FROM chunks c "
            "LEFT JOIN line_summaries ls ON ls.chunk_id = c.id AND ls.field_id = ? "
            "WHERE c.run_id = ? AND c.series_id = ? AND c.sequence > ? ORDER BY c.sequence",
            (field_id, run_id, series_id, after), binary=True,
        )
        return [(int(c), int(q), int(n), None if d is None else bytes(d)) for c, q, n, d in rows]

    def _backfill(
        self, missing: list[tuple[int, int]], frows: list[FieldRow], field_id: int,
    ) -> dict[int, bytes]:
        """Summarize chunks stored without summaries; those of `field_id`, by chunk id."""
        plan = field_plan(frows)
        built: dict[int, bytes] = {}
        for at in range(0, len(missing), _BACKFILL_GROUP):
            group = missing[at : at + _BACKFILL_GROUP]
            with self._read() as s:
                found = s.all(
                    f"SELECT id, sequence, data FROM chunks WHERE id IN ({marks(len(group))})",
                    [cid for cid, _ in group], binary=True,
                )
            made = {int(cid): chunk_summaries(decode_chunk(bytes(d), frows, int(q)), plan)
                    for cid, q, d in found}
            with self._write() as s:
                for cid, rows in made.items():
                    insert_summaries(s, cid, rows)
            for cid, rows in made.items():
                built[cid] = next((data for fid, _, data in rows if fid == field_id), b"")
        return built

    def read_chunks(
        self, run: uuid.UUID, series: str, sequences: Sequence[int], fields: Sequence[str],
    ) -> dict[int, pa.RecordBatch]:
        handle = check_handle(run)
        if isinstance(fields, str):
            raise InvalidArgumentError("fields must be a list of field names, not one string")
        with self._read() as s:
            run_id = self._run_id(s, handle)
            series_id, _, frows = self._series(s, series)
            by_name = {r.field.name: r for r in frows}
            unknown = [f for f in fields if f not in by_name]
            if unknown:
                raise InvalidArgumentError(
                    f"series {series!r} has no field {', '.join(map(repr, unknown))}")
            wanted = [by_name[f] for f in fields]
            out: dict[int, pa.RecordBatch] = {}
            seqs = sorted({int(q) for q in sequences})
            for at in range(0, len(seqs), _BACKFILL_GROUP):
                group = seqs[at : at + _BACKFILL_GROUP]
                for q, d in s.all(
                    "SELECT sequence, data FROM chunks WHERE run_id = ? AND series_id = ? "
                    f"AND sequence IN ({marks(len(group))})",
                    (run_id, series_id, *group), binary=True,
                ):
                    out[int(q)] = decode_chunk(bytes(d), wanted, int(q))
        return out
