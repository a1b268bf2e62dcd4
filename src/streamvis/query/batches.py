"""Series data as Arrow: one record batch per stored chunk, streamed from QueryRunData.

Each chunk the server streams becomes one `pyarrow.RecordBatch` as it arrives: the
run's handle (dictionary-encoded: one string per chunk, four bytes of index per row,
so a table holds each run's handle once per chunk rather than once per row), the
chunk's columns (zero-copy from the message's buffers) and the
requested attributes repeated to the chunk's length. Nothing else is kept, so a
stream holds one chunk at a time and a table holds only its own columns.

Float columns come as they were stored (float32 where the program logged float32),
or all as float64 with `float64=True`. A stream takes each float column's width from
its first chunk and widens a narrower later one; `read_all` widens a column stored at
both widths to float64 (exact), so `fetch` never fails on mixed widths.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa

from streamvis.client import Client
from streamvis.model import wallclock
from streamvis.model.arrays import repeated
from streamvis.model.chunks import Chunk
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.media_arrow import MEDIA_STRUCT, refs_to_struct
from streamvis.model.table_files import RUN_TYPE, run_handles
from streamvis.query.filters import RunsArg, runs_filter


def _close(chunks: Iterator[Chunk]) -> None:
    """Close `Client.query`'s generator, which drops (and so cancels) its gRPC call."""
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


def _names(names: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if names is None:
        return ()
    items = (names,) if isinstance(names, str) else tuple(names)
    for name in items:
        if not isinstance(name, str):
            raise InvalidArgumentError(f"{what} must be field names (strings), got {name!r}")
    return items


class BatchStream:
    """The record batches of one query, one per stored chunk, all of `schema`.

    Iterate it (once) for the batches; `read_all()` collects the rest into a table.
    It ends the server's query when it is exhausted or closed; close it (or use
    `with`) when leaving it early.
    """

    def __init__(
        self, schema: pa.Schema, chunks: Iterator[Chunk], first: Chunk | None,
        attributes: Sequence[str], after_sequence: int, *, as_stored: bool = False,
    ) -> None:
        if as_stored and first is not None:
            # Float columns at the width the first chunk was stored at.
            for i, column in enumerate(first.batch.columns):
                if schema.field(i + 1).type != MEDIA_STRUCT:  # media: refs, not as stored
                    schema = schema.set(i + 1, schema.field(i + 1).with_type(column.type))
        #: The Arrow schema of every batch: run column, fields, attributes.
        self.schema = schema
        #: The sequence number of the last chunk yielded: pass it as `after_sequence`
        #: to a later query to get only what was stored since.
        self.last_sequence = after_sequence
        self._chunks = chunks
        self._pending = first
        self._attributes = [(name, schema.field(name).type) for name in attributes]
        self._closed = False
        if first is None:
            self.close()

    def __iter__(self) -> BatchStream:
        return self

    def __next__(self) -> pa.RecordBatch:
        chunk = self._pending
        self._pending = None
        if chunk is None:
            if self._closed:
                raise StopIteration
            try:
                chunk = next(self._chunks)
            except BaseException:  # the end, an error, or an interrupt: the query is over
                self.close()
                raise
        self.last_sequence = chunk.sequence
        try:
            return self._batch(chunk)
        except Exception:
            self.close()
            raise

    def _batch(self, chunk: Chunk, widen: bool = False) -> pa.RecordBatch:
        """The chunk as a batch of `schema`; with `widen`, a column stored wider than the
        schema says widens the schema instead of failing."""
        rows = chunk.batch.num_rows
        if chunk.batch.num_columns + len(self._attributes) + 1 != len(self.schema):
            raise InvalidArgumentError(
                f"the server sent {chunk.batch.num_columns} columns for a query of "
                f"{len(self.schema) - len(self._attributes) - 1} fields: upgrade streamvis"
            )
        columns = []
        for i, stored in enumerate(chunk.batch.columns):
            column = stored
            want = self.schema.field(i + 1).type
            if want == MEDIA_STRUCT:
                column = refs_to_struct(column)
            elif column.type != want:
                if pa.types.is_floating(want) and want.bit_width < column.type.bit_width:
                    if not widen:
                        raise InvalidArgumentError(
                            f"field {self.schema.field(i + 1).name!r} is stored at more than "
                            "one width (float32 and float64) in this query: read it with "
                            "float64=True, or fetch() it whole"
                        )
                    self.schema = self.schema.set(i + 1, self.schema.field(i + 1).with_type(
                        column.type))
                else:
                    column = column.cast(want)  # a narrower float: widening is exact
            columns.append(column)
        arrays = [
            run_handles(str(chunk.run), rows),
            *columns,
            *(repeated(chunk.attributes[name], t, rows) for name, t in self._attributes),
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def read_all(self) -> pa.Table:
        """The batches not yet taken, as one table (empty, of `schema`, if none)."""
        batches = []
        try:
            while True:
                chunk = self._pending
                self._pending = None
                if chunk is None:
                    if self._closed:
                        break
                    chunk = next(self._chunks, None)
                    if chunk is None:
                        break
                self.last_sequence = chunk.sequence
                batches.append(self._batch(chunk, widen=True))
        finally:
            self.close()
        # A column found stored wider later: widen the batches before it, one at a time.
        for i, batch in enumerate(batches):
            if batch.schema != self.schema:
                batches[i] = pa.RecordBatch.from_arrays(
                    [c.cast(f.type) for c, f in zip(batch.columns, self.schema, strict=True)],
                    schema=self.schema,
                )
        return pa.Table.from_batches(batches, schema=self.schema)

    def to_reader(self) -> pa.RecordBatchReader:
        """This stream as a `pyarrow.RecordBatchReader` (for DuckDB, Arrow datasets)."""
        return pa.RecordBatchReader.from_batches(self.schema, self)

    def close(self) -> None:
        """End the query; the server stops reading chunks for it."""
        if not self._closed:
            self._closed = True
            self._pending = None
            _close(self._chunks)

    def __enter__(self) -> BatchStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _schema(
    client: Client, series: str, fields: tuple[str, ...], attributes: tuple[str, ...],
    run_column: str,
) -> pa.Schema:
    # `_time` and `_elapsed`: fields of every series (model/wallclock.py).
    by_name = {**wallclock.FIELDS, **{f.name: f for f in client.fields()}}
    if not fields:
        match = [s for s in client.series() if s.name == series]
        if not match:
            raise NotFoundError(f"no series named {series!r}: see `streamvis series`")
        fields = match[0].fields
    names = [run_column, *fields, *attributes]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise InvalidArgumentError(
            f"column name {', '.join(map(repr, clashes))} would appear twice in the result "
            f"(run column {run_column!r}, fields, attributes): leave one out, or choose "
            "another run_column"
        )
    columns = [pa.field(run_column, RUN_TYPE)]
    for name in (*fields, *attributes):
        f = by_name.get(name)
        if f is None:  # it was there when the query started
            raise NotFoundError(f"field {name!r} was renamed while the query ran: run it again")
        # A media field's column holds reference texts; the API gives them as structs.
        columns.append(pa.field(name, MEDIA_STRUCT if f.type.row.media else f.type.arrow_type))
    return pa.schema(columns)


def open_batches(
    client: Client, series: str, fields: str | Sequence[str] | None, *, runs: RunsArg,
    attributes: str | Sequence[str], after_sequence: int, run_column: str,
    float64: bool = False,
) -> BatchStream:
    """Start the query and return its stream once the server has accepted it."""
    field_names = _names(fields, "fields")
    attribute_names = _names(attributes, "attributes")
    if isinstance(after_sequence, bool) or not isinstance(after_sequence, int):
        raise InvalidArgumentError(f"after_sequence must be an integer, got {after_sequence!r}")
    if not isinstance(run_column, str) or not run_column:
        raise InvalidArgumentError(f"run_column must be a non-empty name, got {run_column!r}")
    chunks = client.query(series, runs_filter(runs), field_names, attribute_names, after_sequence,
                          as_stored=not float64)
    try:
        # The server checks the request (series, fields, attributes, filter) before it
        # sends anything, so its errors surface here with its own message.
        first = next(chunks, None)
        schema = _schema(client, series, field_names, attribute_names, run_column)
    except BaseException:
        _close(chunks)
        raise
    return BatchStream(schema, chunks, first, attribute_names, after_sequence,
                       as_stored=not float64)
