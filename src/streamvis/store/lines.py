"""Reading what a line plot needs without reading whole columns: summaries, buckets.

`line_summaries` returns one run's per-chunk summary heads of a field (their levels
above 0, store/summaries.py), building and storing the summaries, heads and bucket
rows of chunks appended before they existed (a store migrated from an older
version) on that first read. `line_bottoms` reads the level-0 records of the chunks
asked, and `line_rows` the raw values of the level-0 buckets asked: the reduction
reads those only where a pixel column's edge cuts through. A bucket stored with no
values (`bucket_rows.in_chunk`: one or two x values) is read from its chunk, two columns
of it decoded; old stores' bucket rows, values and all, read as before. `line_values` reads
whole lines raw, of several runs in one query: a line of few rows per pixel has
an edge in most of its buckets, so reading it all at once is the cheaper way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.store import summary_groups
from streamvis.store.bucket_rows import (
    IN_CHUNK,
    Steps,
    as_numbers,
    chunk_bucket,
    decode_bucket,
    decode_buckets,
    decode_x,
)
from streamvis.store.chunks import decode_chunk
from streamvis.store.core import SqlCore, as_uuid, check_handle
from streamvis.store.dialect import ForeignKeyViolation, Session, int_pairs, marks
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

#: Chunks summarized per transaction when building the summaries of old chunks, and
#: chunks or buckets asked per query.
_BACKFILL_GROUP = 64
_ASK_GROUP = 256
#: Chunks decoded per query for buckets read from their chunks (a few MB each).
_CHUNK_GROUP = 4
Values = npt.NDArray[Any]
Ints = npt.NDArray[np.int64]
#: A bucket's rows as read: decoded, or x's marker where they are read from the chunk.
_Rows = tuple[Ints | Steps, Values] | bytes
#: Bucket rows asked at once from which PostgreSQL reads half beside (`line_rows`), on
#: one of a few threads shared by the process.
_SPLIT_ROWS = 512
_BESIDE = ThreadPoolExecutor(max_workers=4, thread_name_prefix="streamvis-rows")


class _Line(NamedTuple):
    """A summarized field of a run's series: its ids, the series' fields, x and the field."""

    run_id: int
    series_id: int
    frows: list[FieldRow]
    x: FieldRow
    target: FieldRow


class LineMethods(SqlCore):
    """line_summaries, line_tops, line_heads, line_bottoms, line_rows, line_values, line_xs."""

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
            for at in range(0, len(seqs), _ASK_GROUP):
                group = seqs[at : at + _ASK_GROUP]
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

    def _target(self, s: Session, run: uuid.UUID, series: str, field: str) -> tuple[
            int, int, FieldRow, FieldRow]:
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

    def line_rows(
        self, run: uuid.UUID, series: str, field: str, buckets: Sequence[tuple[int, int]],
    ) -> list[tuple[Ints | Steps, Values]]:
        unique = sorted({(int(q), int(b)) for q, b in buckets})
        other: Future[dict[tuple[int, int], _Rows]] | None = None
        with self._read() as s:
            line = self._target(s, run, series, field)
            if s.dialect.array_params and len(unique) >= _SPLIT_ROWS:
                # PostgreSQL reads half of them in a second backend, in a read of its
                # own, while this one reads and decodes the other half (a zoom of a
                # 1 B-point line: 87-90 -> 73-79 ms; SQLite gained nothing).
                other = _BESIDE.submit(self._rows_read, line, unique[len(unique) // 2 :])
                unique = unique[: len(unique) // 2]
            found = self._rows_of(s, line, unique)
        if other is not None:
            # Waited for with this read's connection given back: with every connection
            # of the pool held by a read waiting for its other half, none would come.
            found.update(other.result())
        run_id, series_id, x, target = line
        chunked = self._chunk_buckets(run_id, series_id, (x, target), [
            key for key, got in found.items() if isinstance(got, bytes)])
        out: list[tuple[Ints | Steps, Values]] = []
        for q, b in buckets:
            got = found.get((q, b))
            if got is None:
                raise NotFoundError(f"run {run} lost chunks while being read: it was deleted")
            out.append(chunked[q, b] if isinstance(got, bytes) else got)
        return out

    def _rows_read(self, line: tuple[int, int, FieldRow, FieldRow],
                   pairs: list[tuple[int, int]]) -> dict[tuple[int, int], _Rows]:
        with self._read() as s:
            return self._rows_of(s, line, pairs)

    def _rows_of(self, s: Session, line: tuple[int, int, FieldRow, FieldRow],
                 pairs: list[tuple[int, int]]) -> dict[tuple[int, int], _Rows]:
        """Per (sequence, bucket): its (x, y) decoded, or x's row where x's bucket is
        read from its chunk (the field has no row then). One row each."""
        run_id, series_id, x, target = line
        found: dict[tuple[int, int], _Rows] = {}
        # PostgreSQL takes them all as two arrays (in groups, 1,965 pairs took 75
        # ms against 50: each group planned, and hashed the series' chunks).
        step = max(len(pairs), 1) if s.dialect.array_params else _ASK_GROUP
        for at in range(0, len(pairs), step):
            # w (a, b): the (sequence, bucket) pairs asked. They drive the join: each
            # is a search of the chunk by its sequence, then of the buckets' primary
            # key. CROSS JOIN keeps SQLite from starting at the series' chunks
            # instead (given hundreds of pairs it did, reading every bucket row of
            # the series: 10 s at 1 B rows).
            ctes, params = int_pairs(s.dialect, "w", pairs[at : at + step])
            for q, b, xs, ys in s.all(
                f"WITH {ctes} SELECT w.a, w.b, lx.data, ly.data FROM w "
                "CROSS JOIN chunks c CROSS JOIN line_buckets lx "
                "LEFT JOIN line_buckets ly ON ly.chunk_id = c.id AND ly.field_id = ? "
                "AND ly.bucket = w.b "
                "WHERE c.series_id = ? AND c.sequence = w.a AND +c.run_id = ? "
                "AND lx.chunk_id = c.id AND lx.field_id = ? AND lx.bucket = w.b",
                (*params, target.id, series_id, run_id, x.id), binary=True,
            ):
                if ys is not None:
                    found[q, b] = (decode_x(bytes(xs)), decode_bucket(bytes(ys)))
                elif xs[:1] == IN_CHUNK:
                    found[q, b] = IN_CHUNK
        return found

    def _chunk_buckets(self, run_id: int, series_id: int, fields: tuple[FieldRow, FieldRow],
                       asked: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[
                           Values, Values]]:
        """The (x, y) of buckets read from their chunks (`in_chunk`), by (sequence,
        bucket): each chunk's buckets copied out, and the chunk let go before the next
        few are read (memory: the buckets, not the chunks)."""
        of: dict[int, list[int]] = {}
        for q, b in asked:
            of.setdefault(q, []).append(b)
        return {(q, b): chunk_bucket(xy, b)
                for q, xy in self._chunk_xy(run_id, series_id, fields, sorted(of))
                for b in of[q]}

    def _chunk_xy(self, run_id: int, series_id: int, fields: tuple[FieldRow, FieldRow],
                  sequences: list[int]) -> Iterator[tuple[int, pa.RecordBatch]]:
        """Each chunk `sequences` of the run as its (x, y) columns as stored (a broadcast
        step left run-end encoded), a few chunks per query, each decoded once."""
        for at in range(0, len(sequences), _CHUNK_GROUP):
            group = sequences[at : at + _CHUNK_GROUP]
            with self._read() as s:
                found = s.all(
                    f"SELECT sequence, data FROM chunks WHERE series_id = ? AND sequence IN "
                    f"({marks(len(group))}) AND +run_id = ?", (series_id, *group, run_id),
                    binary=True)
            for q, data in found:
                yield int(q), decode_chunk(bytes(data), list(fields), int(q), as_stored=True,
                                           keep_runs=True)

    def line_values(
        self, series: str, field: str, asks: Sequence[tuple[uuid.UUID, Sequence[int]]],
    ) -> list[tuple[Values, Values] | None]:
        if not asks:
            return []
        wanted = {check_handle(h) for h, _ in asks}
        seqs = [int(q) for _, asked in asks for q in asked]
        handles = sorted(wanted, key=str)
        found: dict[tuple[uuid.UUID, int], list[tuple[int, int, int, bytes]]] = {}
        handle_of: dict[Any, uuid.UUID] = {}  # as the database gives it: one parse each
        run_ids: dict[uuid.UUID, int] = {}
        with self._read() as s:
            _, series_id, x, target = self._target(s, asks[0][0], series, field)
            for at in range(0, len(handles), _ASK_GROUP):
                group = handles[at : at + _ASK_GROUP]
                # One query for every run asked: the chunks of the runs in the range of
                # sequences asked (a run's chunks interleave with others'), then their
                # level-0 buckets of x and the field; chunks not asked are left here.
                for h, rid, q, fid, b, n, data in s.all(
                    "SELECT r.handle, r.id, c.sequence, lb.field_id, lb.bucket, c.row_count, "
                    "lb.data "
                    "FROM runs r JOIN chunks c ON c.run_id = r.id JOIN line_buckets lb "
                    f"ON lb.chunk_id = c.id WHERE r.handle IN ({marks(len(group))}) "
                    "AND c.series_id = ? AND c.sequence >= ? AND c.sequence <= ? "
                    "AND lb.field_id IN (?, ?)",
                    (*group, series_id, min(seqs, default=0), max(seqs, default=0), x.id,
                     target.id), binary=True,
                ):
                    if (run := handle_of.get(h)) is None:
                        run = handle_of[h] = as_uuid(h)
                        run_ids[run] = int(rid)
                    found.setdefault((run, q), []).append((fid, b, n, data))
        # Chunks whose buckets of x are kept in the chunk (`in_chunk`: a broadcast step)
        # have no raw rows here: their two columns are read from the chunk.
        kept: dict[uuid.UUID, list[int]] = {}
        for (run, q), got in sorted(found.items(), key=lambda kv: kv[0][1]):
            if any(f == x.id and d[:1] == IN_CHUNK for f, _, _, d in got):
                kept.setdefault(run, []).append(q)
        whole = {(run, q): (as_numbers(xy.column(0)), as_numbers(xy.column(1), keep_float32=True))
                 for run, seqs in kept.items()
                 for q, xy in self._chunk_xy(run_ids[run], series_id, (x, target), seqs)}
        return [_joined(found, whole, handle, [int(q) for q in asked], (x.id, target.id))
                for handle, asked in asks]


    def line_xs(
        self, series: str, field: str, runs: Sequence[uuid.UUID],
    ) -> dict[uuid.UUID, Values] | None:
        wanted = sorted({check_handle(h) for h in runs}, key=str)
        found: dict[Any, list[tuple[int, int, int, bytes | None]]] = {}
        with self._read() as s:
            series_id, ser, frows = self._series(s, series)
            x_at, _ = plan_fields(field_plan(frows), named_x(ser))
            if x_at is None or frows[x_at].field.name != field:
                return None
            x_id = frows[x_at].id
            for at in range(0, len(wanted), _ASK_GROUP):
                group = wanted[at : at + _ASK_GROUP]
                # Every chunk of the runs, with its bucket rows of x where it has them: a
                # chunk without any (its x decreases, or it predates the buckets) shows
                # up with NULL, so a column with a gap is never taken for a whole one.
                for h, q, n, b, data in s.all(
                    "SELECT r.handle, c.sequence, c.row_count, lb.bucket, lb.data "
                    "FROM runs r JOIN chunks c ON c.run_id = r.id LEFT JOIN line_buckets lb "
                    "ON lb.chunk_id = c.id AND lb.field_id = ? "
                    f"WHERE r.handle IN ({marks(len(group))}) AND c.series_id = ?",
                    (x_id, *group, series_id), binary=True,
                ):
                    found.setdefault(h, []).append(
                        (int(q), -1 if b is None else int(b), int(n),
                         None if data is None else bytes(data)))
        out: dict[uuid.UUID, Values] = {h: np.zeros(0, np.int64) for h in wanted}
        for h, rows in found.items():
            rows.sort()
            blobs: list[bytes] = []
            expected = 0
            for i, (q, b, n, data) in enumerate(rows):
                if data is None or data[:1] == IN_CHUNK:
                    return None
                first = i == 0 or rows[i - 1][0] != q
                if b != (0 if first else rows[i - 1][1] + 1):
                    return None  # a bucket missing
                expected += n if first else 0
                blobs.append(data)
            xs = decode_buckets(blobs)
            if xs.size != expected:
                return None
            out[as_uuid(h)] = xs
        return out


def _joined(found: dict[tuple[uuid.UUID, int], list[tuple[int, int, int, bytes]]],
            whole: dict[tuple[uuid.UUID, int], tuple[Values, Values]],
            run: uuid.UUID, seqs: list[int], ids: tuple[int, int],
            ) -> tuple[Values, Values] | None:
    """A run's x and y values of the chunks `seqs`, in their order (a chunk in `whole`
    read from the chunk itself); None where a chunk lacks some bucket's raw rows.

    The bucket rows of consecutive chunks are decoded together, one array a side: per
    chunk, the decoding's fixed cost was a third of a cold short line's."""
    parts: list[list[Values]] = [[], []]
    pending: list[list[bytes]] = [[], []]
    rows = 0  # of the chunks pending

    def decode_pending() -> bool:
        nonlocal rows
        if rows:
            x, y = decode_buckets(pending[0]), decode_buckets(pending[1])
            if x.size != rows or y.size != rows:
                return False
            parts[0].append(x)
            parts[1].append(y)
        pending[0], pending[1], rows = [], [], 0
        return True

    for q in seqs:
        got = found.get((run, q))
        if got is None:
            raise NotFoundError(f"run {run} lost chunks while being read: it was deleted")
        if (run, q) in whole:
            if not decode_pending():
                return None
            for side, values in enumerate(whole[run, q]):
                parts[side].append(values)
            continue
        if any(d[:1] == IN_CHUNK for _, _, _, d in got):  # its chunk was not there to read
            raise NotFoundError(f"run {run} lost chunks while being read: it was deleted")
        got.sort()  # by field, then bucket
        rows += int(got[0][2])
        for side, fid in enumerate(ids):
            mine = [d for f, _, _, d in got if f == fid]
            if [b for f, b, _, _ in got if f == fid] != list(range(len(mine))):
                return None
            pending[side] += mine
    if not decode_pending():
        return None
    if not parts[0]:
        return decode_buckets([]), decode_buckets([])
    if len(parts[0]) == 1:
        return parts[0][0], parts[1][0]
    return np.concatenate(parts[0]), np.concatenate(parts[1])
