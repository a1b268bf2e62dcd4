"""Reading the raw rows of a line's level-0 buckets: those pixel edges cut, or all.

`line_rows` reads the raw values of the level-0 buckets asked: the reduction reads
those only where a pixel column's edge cuts through (web/edge_rows.py). A bucket stored
with no values (`bucket_rows.in_chunk`: one or two x values) is read from its chunk,
two columns of it decoded; old stores' bucket rows, values and all, read as before.
`line_values` reads whole lines raw, of several runs in one query: a line of few rows
per pixel has an edge in most of its buckets, so reading it all at once is the cheaper
way; `line_xs` reads each run's x alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

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
from streamvis.store.core import as_uuid, check_handle
from streamvis.store.dialect import Session, int_pairs, marks
from streamvis.store.filters import FieldRow
from streamvis.store.lines import ASK_GROUP, LineMethods, Target, lost_chunks
from streamvis.store.summaries import field_plan, named_x, plan_fields

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


class LineRowMethods(LineMethods):
    """line_rows, line_values, line_xs."""

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
                raise lost_chunks(run)
            out.append(chunked[q, b] if isinstance(got, bytes) else got)
        return out

    def _rows_read(self, line: Target,
                   pairs: list[tuple[int, int]]) -> dict[tuple[int, int], _Rows]:
        with self._read() as s:
            return self._rows_of(s, line, pairs)

    def _rows_of(self, s: Session, line: Target,
                 pairs: list[tuple[int, int]]) -> dict[tuple[int, int], _Rows]:
        """Per (sequence, bucket): its (x, y) decoded, or x's row where x's bucket is
        read from its chunk (the field has no row then). One row each."""
        run_id, series_id, x, target = line
        found: dict[tuple[int, int], _Rows] = {}
        # PostgreSQL takes them all as two arrays (in groups, 1,965 pairs took 75
        # ms against 50: each group planned, and hashed the series' chunks).
        step = max(len(pairs), 1) if s.dialect.array_params else ASK_GROUP
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
            for at in range(0, len(handles), ASK_GROUP):
                group = handles[at : at + ASK_GROUP]
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
            for at in range(0, len(wanted), ASK_GROUP):
                group = wanted[at : at + ASK_GROUP]
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
            raise lost_chunks(run)
        if (run, q) in whole:
            if not decode_pending():
                return None
            for side, values in enumerate(whole[run, q]):
                parts[side].append(values)
            continue
        if any(d[:1] == IN_CHUNK for _, _, _, d in got):  # its chunk was not there to read
            raise lost_chunks(run)
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
