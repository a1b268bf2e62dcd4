"""Datasets as files: the one writer `streamvis export` and `GET /api/export` share.

A dataset (a run column, a series' fields, joined attributes) is written batch by
batch, one stored chunk at a time, so memory stays bounded by one chunk however large
the series. It lives in the model because both sides write it: the CLI from the gRPC
stream (query/batches.py), the web app from the store (web/api_export.py); the same
code here makes their files equal byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from streamvis.model.arrays import numbers, repeated, strings
from streamvis.model.chunks import Chunk
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import Field

#: The type of the run column: the run's handle, stored once per batch.
RUN_TYPE = pa.dictionary(pa.int32(), pa.string())

#: Where a writer writes: a path, or a binary file object (an HTTP response's buffer).
Sink = str | IO[bytes] | io.RawIOBase


def run_handles(handle: str, rows: int) -> pa.DictionaryArray:
    """`handle` on `rows` rows, dictionary-encoded: one string and an index per row."""
    return pa.DictionaryArray.from_arrays(numbers(np.zeros(rows, dtype=np.int32), pa.int32()),
                                          strings([handle]))


def dataset_schema(
    fields: Sequence[Field], attributes: Sequence[Field], run_column: str = "run",
) -> pa.Schema:
    """The schema of a dataset file: run column, the fields, the attributes (floats as
    float64, the width a query returns them at unless asked for the stored one)."""
    names = [run_column, *(f.name for f in (*fields, *attributes))]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise InvalidArgumentError(
            f"column name {', '.join(map(repr, clashes))} would appear twice in the result "
            f"(run column {run_column!r}, fields, attributes): leave one out, or choose "
            "another run_column"
        )
    return pa.schema([pa.field(run_column, RUN_TYPE),
                      *(pa.field(f.name, f.type.arrow_type) for f in (*fields, *attributes))])


def chunk_batch(chunk: Chunk, schema: pa.Schema, attributes: Sequence[str]) -> pa.RecordBatch:
    """A stored chunk as a batch of a dataset `schema` (columns already of its types)."""
    rows = chunk.batch.num_rows
    types = [schema.field(name).type for name in attributes]
    arrays = [
        run_handles(str(chunk.run), rows),
        *(c if c.type == schema.field(i + 1).type else c.cast(schema.field(i + 1).type)
          for i, c in enumerate(chunk.batch.columns)),
        *(repeated(chunk.attributes[name], t, rows) for name, t in zip(attributes, types,
                                                                       strict=True)),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class TableWriter:
    """What the formats share: write a batch, then close."""

    def __init__(self, write: Callable[[pa.RecordBatch], None], close: Callable[[], None]) -> None:
        self.write = write
        self.close = close


def _parquet(sink: Sink, schema: pa.Schema) -> TableWriter:
    w = pq.ParquetWriter(sink, schema)
    return TableWriter(w.write_batch, w.close)


def _csv(sink: Sink, schema: pa.Schema) -> TableWriter:
    w = pa_csv.CSVWriter(sink, schema)
    return TableWriter(w.write_batch, w.close)


def _arrow(sink: Sink, schema: pa.Schema) -> TableWriter:
    # An IPC file holds one dictionary per column, and each batch's run column has its
    # own (its run's handle): the file holds the handles as plain strings.
    plain = pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                       for f in schema])
    w = pa.ipc.new_file(sink, plain)

    def write(batch: pa.RecordBatch) -> None:
        w.write_batch(pa.RecordBatch.from_arrays(
            [c.cast(f.type) for c, f in zip(batch.columns, plain, strict=True)], schema=plain))

    return TableWriter(write, w.close)


#: Format name -> writer. Arrow IPC ("Feather v2") keeps every type exactly and is read
#: without parsing (pyarrow, polars, DuckDB); Parquet is compressed; CSV for anything.
FORMATS: dict[str, Callable[[Sink, pa.Schema], TableWriter]] = {
    "parquet": _parquet, "csv": _csv, "arrow": _arrow, "feather": _arrow,
}

#: Format name -> the media type an HTTP response declares for it.
MEDIA_TYPES: dict[str, str] = {
    "parquet": "application/vnd.apache.parquet", "csv": "text/csv; charset=utf-8",
    "arrow": "application/vnd.apache.arrow.file", "feather": "application/vnd.apache.arrow.file",
}


def writer_for(format: str, what: str) -> Callable[[Sink, pa.Schema], TableWriter]:
    """The writer of a format name ("csv", "parquet", "arrow"); `what` names where the
    name came from for the error message."""
    make = FORMATS.get(format.lower().lstrip("."))
    if make is None:
        raise InvalidArgumentError(
            f"{what} {format!r} is no export format: use one of {', '.join(FORMATS)}"
        )
    return make
