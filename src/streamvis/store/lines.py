"""Reading what a line plot needs without reading whole columns: its summaries.

`line_summaries` returns one run's per-chunk summary heads of a field (their levels
above 0, store/summaries.py), building and storing the summaries, heads and bucket
rows of chunks appended before they existed (a store migrated from an older
version) on that first read. `line_tops` lists a run's chunks by their top records
(one row per 64 chunks, store/summary_groups.py), and `line_bottoms` reads the level-0
records of the chunks asked. The raw rows of level-0 buckets are read in
line_rows.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.store import summary_groups
from streamvis.store.chunks import decode_chunk
from streamvis.store.core import SqlCore, check_handle
from streamvis.store.dialect import ForeignKeyViolation, Session, marks
from streamvis.store.filters import FieldRow
from streamvis.store.summaries import (
    LineSummaries,
    bottom,
    chunk_summaries,
    decode,
    field_plan,
    head,
    named_x,
    plan_fields,
    record_dtype,
)
from streamvis.store.summary_groups import (
    LineTops,
    blob_kind,
    decode_groups,
    encode_group,
    head_kind,
    top,
)
from streamvis.store.summary_rows import insert_group, insert_summaries

#: Chunks summarized per transaction when building the summaries of old chunks.
_BACKFILL_GROUP = 64
#: Chunks or buckets asked per query (SQLite; PostgreSQL takes arrays).
ASK_GROUP = 256
Values = npt.NDArray[Any]
#: A summarized field's line as its reads need it: run id, series id, x and the field.
Target = tuple[int, int, FieldRow, FieldRow]


def lost_chunks(run: uuid.UUID) -> NotFoundError:
    """The error of a read that found fewer chunks than listed: the run was deleted."""
    return NotFoundError(f"run {run} lost chunks while being read: it was deleted")


class _Line(NamedTuple):
    """A summarized field of a run's series: its ids, the series' fields, x and the field."""

    run_id: int
    series_id: int
    frows: list[FieldRow]
    x: FieldRow
    target: FieldRow


class LineMethods(SqlCore):
    """line_summaries, line_tops, line_heads, line_bottoms (line_rows.py: the rest)."""

    def line_tops(
        self, run: uuid.UUID, series: str, field: str, after_group: int = 0,
    ) -> LineTops | None:
        with self._read() as s:
            line = self._line(s, run, series, field)
            if line is None:
                return None
            run_id, series_id, frows, x, target = line
            key = (run_id, series_id, target.id)
            start = max(after_group - 1, 0)  # the group before: where the rest begins
            stored = [(int(g), bytes(d)) for g, d in s.all(
                "SELECT grp, data FROM line_groups WHERE run_id = ? AND series_id = ? "
                "AND field_id = ? AND grp >= ? ORDER BY grp", (*key, start), binary=True)]
            # Whole groups are stored in order from 0; keep the unbroken run from `start`.
            stored = [(g, d) for i, (g, d) in enumerate(stored) if g == start + i]
            if after_group and not stored:
                after_group = start = 0  # not there (a run replaced): list from the start
            last_seq = 0
            if stored:
                last_seq = int(decode_groups([stored[-1][1]], blob_kind(stored[-1][1]))[0][-1])
            if after_group:
                stored = stored[1:]
            listed = self._listed(s, run_id, series_id, target.id, last_seq)
        missing = [(cid, seq) for cid, seq, _, data in listed if data is None]
        if missing:
            built = self._backfill(missing, frows, x, target.id)
            listed = [(cid, seq, n, built.get(cid, data) if data is None else data)
                      for cid, seq, n, data in listed]
        kind = next((k for *_, d in listed if (k := head_kind(d or b""))), None) or next(
            (blob_kind(d) for _, d in stored), "i" if target.field.type.row.dtype.kind in "iu"
            else "f")
        seqs = np.array([q for _, q, _, _ in listed], np.int64)
        rows = np.array([n for _, _, n, _ in listed], np.int64)
        tops = np.concatenate([top(d or b"", kind) for *_, d in listed]) if listed else (
            np.zeros(0, record_dtype(kind)))
        size = summary_groups.GROUP
        whole = len(listed) // size
        if whole:
            first = after_group + len(stored)
            self._store_groups(key, first, [
                (encode_group(seqs[at : at + size], rows[at : at + size], tops[at : at + size],
                              kind), int(seqs[at + size - 1]))
                for at in range(0, whole * size, size)])
        g_seqs, g_rows, g_tops = decode_groups([d for _, d in stored], kind)
        return LineTops(
            x=x.field.name, first_group=after_group, whole=len(stored) + whole,
            sequences=np.concatenate((g_seqs, seqs)), rows=np.concatenate((g_rows, rows)),
            tops=np.concatenate((g_tops, tops)))

    def _store_groups(self, key: tuple[int, int, int], first: int,
                      groups: list[tuple[bytes, int]]) -> None:
        """Store whole groups (blob, last chunk's sequence) numbered from `first`
        (another reader may have stored them already)."""
        try:
            with self._write() as s:
                for i, (blob, last) in enumerate(groups):
                    insert_group(s, key, first + i, blob, last)
        except ForeignKeyViolation:
            pass  # the run was deleted meanwhile: nothing to keep

    def line_heads(
        self, run: uuid.UUID, series: str, field: str, sequences: Sequence[int],
    ) -> dict[int, Values]:
        out: dict[int, Values] = {}
        for q, _, data in self._by_sequence(run, series, field, sequences, "line_heads"):
            if data:
                out[q] = decode([data])[0]
        return out

    def _by_sequence(self, run: uuid.UUID, series: str, field: str, sequences: Sequence[int],
                     table: str) -> list[tuple[int, int, bytes]]:
        """(sequence, rows, data) of `table`'s rows of `field` for the run's chunks asked."""
        out = []
        with self._read() as s:
            run_id, series_id, _, target = self._target(s, run, series, field)
            seqs = sorted({int(q) for q in sequences})
            for at in range(0, len(seqs), ASK_GROUP):
                group = seqs[at : at + ASK_GROUP]
                # `+run_id`: SQLite would otherwise search by (run, series) and scan every
                # chunk of the run per group, not seek each sequence.
                out += [(int(q), int(n), bytes(d)) for q, n, d in s.all(
                    f"SELECT c.sequence, c.row_count, t.data FROM chunks c JOIN {table} t "
                    "ON t.chunk_id = c.id AND t.field_id = ? WHERE c.series_id = ? "
                    f"AND c.sequence IN ({marks(len(group))}) AND +c.run_id = ?",
                    (target.id, series_id, *group, run_id), binary=True)]
        return out

    def line_summaries(
        self, run: uuid.UUID, series: str, field: str, after_sequence: int = 0,
    ) -> LineSummaries | None:
        with self._read() as s:
            line = self._line(s, run, series, field)
            if line is None:
                return None
            run_id, series_id, frows, x, target = line
            listed = self._listed(s, run_id, series_id, target.id, after_sequence)
        missing = [(cid, seq) for cid, seq, _, data in listed if data is None]
        if missing:
            built = self._backfill(missing, frows, x, target.id)
            listed = [(cid, seq, n, built.get(cid, data) if data is None else data)
                      for cid, seq, n, data in listed]
        blobs = [bytes(d or b"") for *_, d in listed]
        records, counts = decode([b for b in blobs if b])
        every = np.zeros(len(blobs), np.int64)
        every[[i for i, b in enumerate(blobs) if b]] = counts
        return LineSummaries(
            x=x.field.name,
            sequences=np.array([seq for _, seq, _, _ in listed], np.int64),
            rows=np.array([n for _, _, n, _ in listed], np.int64),
            records=records, counts=every,
        )

    def _listed(
        self, s: Session, run_id: int, series_id: int, field_id: int, after: int,
    ) -> list[tuple[int, int, int, bytes | None]]:
        rows = s.all(
            "SELECT c.id, c.sequence, c.row_count, lh.data FROM chunks c "
            "LEFT JOIN line_heads lh ON lh.chunk_id = c.id AND lh.field_id = ? "
            "WHERE c.run_id = ? AND c.series_id = ? AND c.sequence > ? ORDER BY c.sequence",
            (field_id, run_id, series_id, after), binary=True,
        )
        return [(int(c), int(q), int(n), None if d is None else bytes(d)) for c, q, n, d in rows]

    def _backfill(
        self, missing: list[tuple[int, int]], frows: list[FieldRow], x: FieldRow,
        field_id: int,
    ) -> dict[int, bytes]:
        """Summarize chunks stored without summaries against `x`; the heads of
        `field_id`, by chunk id."""
        plan = field_plan(frows)
        x_at = next(i for i, r in enumerate(frows) if r.id == x.id)
        built: dict[int, bytes] = {}
        for at in range(0, len(missing), _BACKFILL_GROUP):
            group = missing[at : at + _BACKFILL_GROUP]
            with self._read() as s:
                found = s.all(
                    f"SELECT id, sequence, data FROM chunks WHERE id IN ({marks(len(group))})",
                    [cid for cid, _ in group], binary=True,
                )
            made = {int(cid): chunk_summaries(decode_chunk(bytes(d), frows, int(q)), plan, x_at)
                    for cid, q, d in found}
            with self._write() as s:
                for cid, rows in made.items():
                    insert_summaries(s, cid, rows)
            for cid, rows in made.items():
                built[cid] = head(next(
                    (data for fid, _, data in rows.summaries if fid == field_id), b""))
        return built

    def _line(self, s: Session, run: uuid.UUID, series: str, field: str) -> _Line | None:
        """What the line reads of `field` need, or None when it has no line summaries (the
        series has no x to summarize against, or `field` is not summarized)."""
        run_id = self._run_id(s, check_handle(run))
        series_id, ser, frows = self._series(s, series)
        x_at, ys = plan_fields(field_plan(frows), named_x(ser))
        target = next((frows[i] for i in ys if frows[i].field.name == field), None)
        if x_at is None or target is None:
            return None
        return _Line(run_id, series_id, frows, frows[x_at], target)

    def _target(self, s: Session, run: uuid.UUID, series: str, field: str) -> Target:
        """(run id, series id, x field, `field`) of a summarized field, or NotFoundError."""
        line = self._line(s, run, series, field)
        if line is None:
            raise InvalidArgumentError(
                f"field {field!r} of series {series!r} has no line summaries: "
                "ask line_summaries first")
        return line.run_id, line.series_id, line.x, line.target

    def line_bottoms(
        self, run: uuid.UUID, series: str, field: str, sequences: Sequence[int],
    ) -> dict[int, Values]:
        return {q: bottom(data, n) for q, n, data in self._by_sequence(
            run, series, field, sequences, "line_summaries") if data}
