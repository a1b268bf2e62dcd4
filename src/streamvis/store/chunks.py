"""Column data: appending chunks in commit order, and streaming them back.

A chunk is one appended batch, stored as an Arrow IPC stream whose columns are
named by field handle, so renaming a field never touches stored data.

Appends are stored in groups (store/group_commit.py, store/chunk_writes.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model import limits
from streamvis.model.chunks import AppendResult, Chunk, ChunkInfo
from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from streamvis.model.schema import RunFilter, Series, Value, dedupe, validate_columns
from streamvis.model.wallclock import FIELDS, TIME, TIME_FIELD, time_column
from streamvis.store.chunk_writes import KeyTaken, Pending, store_group
from streamvis.store.core import (
    FIELD_COLUMNS,
    SqlCore,
    as_uuid,
    check_handle,
    field_from_row,
    series_of,
)
from streamvis.store.dialect import Session, marks
from streamvis.store.filters import FieldRow, Where
from streamvis.store.group_commit import GroupCommit
from streamvis.store.media_refs import media_in_batch
from streamvis.store.summaries import chunk_summaries, field_plan, named_x

_MAX_KEY_LENGTH = 256
# Chunk metadata is read in pages, blobs in groups bounded by count and bytes, so a
# query holds at most one group of decoded chunks at a time.
_META_PAGE = 1000
_BLOB_GROUP = 64
_BLOB_GROUP_BYTES = 32 << 20


#: Chunk buffers are zstd-compressed at its fastest level, -1 (decision 0059): as fast
#: as lz4 where nothing compresses (a point cloud), and a third smaller where much does
#: (a scalar series' steps and times); the reader reads lz4 (older), zstd and
#: uncompressed chunks alike.
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression=pa.Codec("zstd", -1))


def encode_chunk(
    batch: pa.RecordBatch, handles: Sequence[uuid.UUID], times: pa.Array | None = None
) -> bytes:
    """The Arrow IPC stream of `batch`, zstd-compressed, its columns named by field handle,
    with the rows' wall-clock `times` as one more column (model/wallclock.py)."""
    columns, names = list(batch.columns), [str(h) for h in handles]
    if times is not None:
        columns.append(times)
        names.append(str(TIME_FIELD.handle))
    named = pa.RecordBatch.from_arrays(columns, names=names)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, named.schema, options=_WRITE_OPTIONS) as writer:
        writer.write_batch(named)
    return bytes(sink.getvalue().to_pybytes())


def decode_chunk(
    data: bytes, fields: Sequence[FieldRow], sequence: int, *, as_stored: bool = False,
    started_at: float = 0.0, keep_runs: bool = False,
) -> pa.RecordBatch:
    """The columns of `fields` from a stored chunk, named by their current names.

    Each column comes in its field's Arrow type, widened from a narrower stored width
    (float32 for float); `as_stored` keeps the width it was stored at. An int column
    stored run-end encoded (a broadcast step) is decoded unless `keep_runs` (for a reader
    of a few slices of it). The pseudo-fields `_time` and
    `_elapsed` (`_time` minus the run's `started_at`) read the chunk's time column, NaN
    for a chunk stored before times were kept.
    """
    stored = _columns_of(pa.py_buffer(data), fields)
    columns = []
    for row in fields:
        index = stored.schema.get_field_index(str(row.field.handle))
        if row.field.name in FIELDS:
            columns.append(_time_of(stored, row.field.name, started_at))
            continue
        if index < 0:
            raise FailedPreconditionError(
                f"chunk {sequence} has no column for field {row.field.name!r}: the "
                "database is damaged; restore it from a backup"
            )
        column = stored.column(index)
        want = row.field.type.arrow_type
        if pa.types.is_run_end_encoded(column.type) and not keep_runs:
            column = pc.run_end_decode(column)  # runs are how it is stored, not read
        if column.type != want and not as_stored:
            column = column.cast(want)  # a narrower float: widening is exact
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=[r.field.name for r in fields])


def _columns_of(data: pa.Buffer, fields: Sequence[FieldRow]) -> pa.RecordBatch:
    """The stored columns `fields` read (their own or the time column): only those are
    decompressed, so a line's two columns of a wide or long chunk cost two columns."""
    stream = pa.ipc.open_stream(data)  # has read the schema message only
    wanted = {str(TIME_FIELD.handle) if r.field.name in FIELDS else str(r.field.handle)
              for r in fields}
    keep = [i for i, n in enumerate(stream.schema.names) if n in wanted]
    if len(keep) == len(stream.schema.names):
        return stream.read_next_batch()
    return pa.ipc.open_stream(data, options=pa.ipc.IpcReadOptions(
        included_fields=keep)).read_next_batch()


def _time_of(stored: pa.RecordBatch, name: str, started_at: float) -> pa.Array:
    index = stored.schema.get_field_index(str(TIME_FIELD.handle))
    if index < 0:
        return pa.array(np.full(stored.num_rows, np.nan))
    times = stored.column(index)
    if pa.types.is_run_end_encoded(times.type):
        times = pc.run_end_decode(times)  # one time per write, stored as runs
    return times if name == TIME else pc.subtract(times, pa.scalar(started_at, pa.float64()))


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY_LENGTH:
        raise InvalidArgumentError(
            f"idempotency key must be a non-empty string of at most {_MAX_KEY_LENGTH} "
            f"characters, got {key!r:.60}"
        )
    return key


@dataclass(frozen=True)
class _Plan:
    series_id: int
    fields: list[FieldRow]
    attributes: list[FieldRow]
    where: Where
    after: int
    upto: int
    as_stored: bool = False


class ChunkMethods(SqlCore):
    """append, query, chunks_after, last_sequence."""

    def __init__(self) -> None:
        super().__init__()
        # Appends arriving while a commit is in flight share the next one.
        self._group_commit: GroupCommit[Pending, int] = GroupCommit(
            self._write, store_group, max_group=limits.GROUP_COMMIT_APPENDS,
            max_bytes=limits.GROUP_COMMIT_BYTES, size=Pending.nbytes,
            leaders=self.dialect.concurrent_groups,
        )

    def append(
        self,
        run: uuid.UUID,
        series: str,
        columns: Mapping[str, pa.Array],
        idempotency_key: str | None = None,
    ) -> AppendResult:
        handle, key = check_handle(run), _check_key(idempotency_key)
        if not isinstance(columns, Mapping):
            raise InvalidArgumentError(
                f"columns must map field names to Arrow arrays, got {type(columns).__name__}"
            )
        columns = dict(columns)
        given_time = columns.pop(TIME, None)
        for name, array in columns.items():
            if not isinstance(array, pa.Array):
                raise InvalidArgumentError(
                    f"column {name!r} is a {type(array).__name__}, not a pyarrow Array: "
                    "convert it with pyarrow.array(...)"
                )
        lookup = self._append_lookup(handle, series, key)
        if isinstance(lookup, AppendResult):
            return lookup
        run_id, series_id, ser, frows = lookup
        # Validate and encode outside the write transaction: on SQLite that keeps
        # other writers waiting only for the inserts.
        batch = validate_columns(ser, {r.field.name: r.field for r in frows}, columns)
        media = media_in_batch(batch, frows)
        times = time_column(given_time, batch.num_rows, time.time())
        data = encode_chunk(batch, [r.field.handle for r in frows], times)
        pending = Pending(handle, run_id, series, series_id, data,
                           chunk_summaries(batch, field_plan(frows), named_x(ser)), media,
                           batch.num_rows, key)
        for _ in range(3):
            try:
                seq = self._group_commit.run(pending)
            except KeyTaken:
                with self._read() as s:
                    dup = _appended(s, key) if key is not None else None
                if dup is not None:
                    return dup
                continue  # its run was deleted meanwhile, which freed the key
            return AppendResult(seq, pending.rows, duplicate=False)
        raise FailedPreconditionError(
            f"append with idempotency key {key!r} keeps colliding with concurrent appends "
            "of the same key: send each batch from one writer"
        )

    def _append_lookup(
        self, handle: uuid.UUID, series: str, key: str | None
    ) -> AppendResult | tuple[int, int, Series, list[FieldRow]]:
        """The earlier append with `key`, or the run's id and the series' id, its
        fields and their rows. One statement outside a transaction: the write
        transaction checks the ids again."""
        with self._session() as s:
            rows = s.all(
                "SELECT (SELECT id FROM runs WHERE handle = ?), c.sequence, c.row_count, "
                f"s.id, s.x_field, {FIELD_COLUMNS} FROM (SELECT 1 AS one) o "
                "LEFT JOIN append_keys k ON k.idempotency_key = ? "
                "LEFT JOIN chunks c ON c.id = k.chunk_id "
                "LEFT JOIN series s ON s.name = ? "
                "LEFT JOIN series_fields sf ON sf.series_id = s.id "
                "LEFT JOIN fields f ON f.id = sf.field_id ORDER BY sf.position",
                (handle, key, series),
            )
        run_id, seq, count, series_id = rows[0][:4]
        if seq is not None:
            return AppendResult(int(seq), int(count), duplicate=True)
        if run_id is None:
            raise NotFoundError(f"no run with handle {handle}: check the handle")
        if series_id is None:
            raise NotFoundError(f"no series named {series!r}: create it first, or check the name")
        frows = [field_from_row(r[5:]) for r in rows if r[5] is not None]
        ser = series_of(series, frows, rows[0][4])
        return int(run_id), int(series_id), ser, frows

    def query(
        self,
        run_filter: RunFilter,
        series: str,
        fields: Sequence[str] = (),
        attributes: Sequence[str] = (),
        after_sequence: int = 0,
        *,
        as_stored: bool = False,
    ) -> Iterator[Chunk]:
        for arg, what in ((fields, "fields"), (attributes, "attributes")):
            if isinstance(arg, str):
                raise InvalidArgumentError(f"{what} must be a list of field names, not one string")
        if isinstance(after_sequence, bool) or not isinstance(after_sequence, int):
            raise InvalidArgumentError(f"after_sequence must be an integer, got {after_sequence!r}")
        # Checked now, not at the first next(), so a bad query fails where it is made.
        with self._read() as s:
            series_id, ser, frows = self._series(s, series)
            # The pseudo-fields every series has (model/wallclock.py); id -1: no row.
            by_name = {**{n: FieldRow(-1, f) for n, f in FIELDS.items()},
                       **{r.field.name: r for r in frows}}
            wanted = dedupe(fields, f"field of query on series {series!r}") or ser.fields
            unknown = [n for n in wanted if n not in by_name]
            if unknown:
                raise InvalidArgumentError(
                    f"series {series!r} has no field {', '.join(map(repr, unknown))}; its "
                    f"fields are {', '.join(ser.fields)}"
                )
            attrs = self._field_rows(s, dedupe(attributes, "attribute of query"))
            where = self._where(s, run_filter)
            for a in attrs:
                where = where.and_(
                    "EXISTS (SELECT 1 FROM run_attributes a WHERE a.run_id = r.id "
                    "AND a.field_id = ?)",
                    (a.id,),
                )
            # Chunks committed after this point belong to the caller's next query.
            upto = _max_sequence(s)
        plan = _Plan(series_id, [by_name[n] for n in wanted], attrs, where, after_sequence, upto,
                     as_stored)
        return self._stream(plan)

    def _stream(self, plan: _Plan) -> Iterator[Chunk]:
        cursor = plan.after
        run_attributes: dict[int, dict[str, Value]] = {}
        while cursor < plan.upto:
            with self._read() as s:
                page = s.all(
                    "SELECT c.sequence, c.run_id, r.handle, length(c.data), r.started_at "
                    "FROM chunks c "
                    "JOIN runs r ON r.id = c.run_id WHERE c.series_id = ? AND c.sequence > ? "
                    f"AND c.sequence <= ? AND {plan.where.sql} ORDER BY c.sequence LIMIT ?",
                    (plan.series_id, cursor, plan.upto, *plan.where.params, _META_PAGE),
                )
            if not page:
                return
            cursor = int(page[-1][0])
            started = {int(row[1]): float(row[4]) for row in page}
            for group in _groups([row[:4] for row in page]):
                with self._read() as s:
                    blobs: dict[int, bytes] = dict(
                        s.all(
                            "SELECT sequence, data FROM chunks "
                            f"WHERE sequence IN ({marks(len(group))})",
                            [g[0] for g in group],
                            binary=True,
                        )
                    )
                    new_runs = list({g[1] for g in group if g[1] not in run_attributes})
                    if plan.attributes and new_runs:
                        found = self._attributes_of(
                            s, marks(len(new_runs)), new_runs, [a.id for a in plan.attributes]
                        )
                        run_attributes.update({rid: dict(found.get(rid, {})) for rid in new_runs})
                for seq, run_id, handle, _ in group:
                    data = blobs.get(seq)
                    if data is None:  # its run was deleted since the page was read
                        continue
                    yield Chunk(
                        run=as_uuid(handle),
                        sequence=int(seq),
                        batch=decode_chunk(bytes(data), plan.fields, int(seq),
                                           as_stored=plan.as_stored,
                                           started_at=started[int(run_id)]),
                        attributes=run_attributes.get(run_id, {}),
                    )

    def chunks_after(self, sequence: int, limit: int = 10_000) -> list[ChunkInfo]:
        if isinstance(sequence, bool) or not isinstance(sequence, int):
            raise InvalidArgumentError(f"sequence must be an integer, got {sequence!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidArgumentError(f"limit must be a positive integer, got {limit!r}")
        with self._read() as s:
            rows = s.all(
                "SELECT r.handle, s.name, c.sequence, c.row_count FROM chunks c "
                "JOIN runs r ON r.id = c.run_id JOIN series s ON s.id = c.series_id "
                "WHERE c.sequence > ? ORDER BY c.sequence LIMIT ?",
                (sequence, limit),
            )
        return [ChunkInfo(as_uuid(h), str(n), int(q), int(k)) for h, n, q, k in rows]

    def last_sequence(self) -> int:
        with self._read() as s:
            return _max_sequence(s)

    def last_data_times(self, handles: Sequence[uuid.UUID]) -> dict[uuid.UUID, float]:
        wanted = [check_handle(h) for h in handles]
        if not wanted:
            return {}
        with self._read() as s:
            # Sequences are handed out in commit order: a run's highest is its last write.
            last = s.all(
                "SELECT r.handle, MAX(c.sequence) FROM runs r JOIN chunks c ON c.run_id = r.id "
                f"WHERE r.handle IN ({marks(len(wanted))}) GROUP BY r.handle", wanted)
            blobs: dict[int, bytes] = dict(s.all(
                f"SELECT sequence, data FROM chunks WHERE sequence IN ({marks(len(last))})",
                [int(q) for _, q in last], binary=True)) if last else {}
        out: dict[uuid.UUID, float] = {}
        for handle, seq in last:
            data = blobs.get(int(seq))
            if data is None:
                continue
            times = _time_of(pa.ipc.open_stream(pa.py_buffer(bytes(data))).read_next_batch(),
                             TIME, 0.0)
            latest = pc.max(times).as_py() if len(times) else None
            if latest is not None and np.isfinite(latest):
                out[as_uuid(handle)] = float(latest)
        return out


def _appended(s: Session, key: str) -> AppendResult | None:
    row = s.one(
        "SELECT c.sequence, c.row_count FROM append_keys k JOIN chunks c ON c.id = k.chunk_id "
        "WHERE k.idempotency_key = ?",
        (key,),
    )
    return None if row is None else AppendResult(int(row[0]), int(row[1]), duplicate=True)


def _max_sequence(s: Session) -> int:
    # A bare MAX() lets both databases read it off the end of the unique index.
    value = s.scalar("SELECT MAX(sequence) FROM chunks")
    return 0 if value is None else int(value)


def _groups(page: list[tuple[object, ...]]) -> Iterator[list[tuple[int, int, object, int]]]:
    group: list[tuple[int, int, object, int]] = []
    size = 0
    for seq, run_id, handle, nbytes in page:
        row = (int(seq), int(run_id), handle, int(nbytes))  # type: ignore[call-overload]
        if group and (len(group) >= _BLOB_GROUP or size + row[3] > _BLOB_GROUP_BYTES):
            yield group
            group, size = [], 0
        group.append(row)
        size += row[3]
    if group:
        yield group
