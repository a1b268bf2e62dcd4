"""The rows an export keeps: a plot's facet and frame (`where`, web/row_conditions.py), so a
panel's CSV or Parquet download holds what the panel shows.

The export streams chunks from the store, one at a time, so a condition is applied per
chunk: `equals` compares each row; `latest` (each run's largest value of the field, the
default frame) needs those largest values first, one pass over the field's column before
the export's own pass.
"""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.chunks import Chunk
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import RunFilter, Series
from streamvis.model.types import NUMERIC
from streamvis.store.base import Store
from streamvis.web.row_conditions import RowCondition


def check_conditions(where: Sequence[RowCondition], series: Series, store: Store) -> None:
    """Refuse a condition on a field the series lacks, or `latest` on a non-number."""
    types = {f.name: f.type for f in store.list_fields()}
    for c in where:
        if c.field not in series.fields:
            raise InvalidArgumentError(
                f"where: {c.field!r} is not a field of series {series.name!r} (to keep some "
                f"runs, use the filter); its fields are {', '.join(series.fields)}")
        if c.latest and NUMERIC not in types[c.field].row.traits:
            raise InvalidArgumentError(
                f"where: latest needs a number field; {c.field!r} is {types[c.field].value}")


def latest_values(store: Store, run_filter: RunFilter, series: str,
                  where: Sequence[RowCondition]) -> dict[tuple[uuid.UUID, str], float]:
    """Per run and `latest` field, the largest finite value (a pass over those columns)."""
    fields = sorted({c.field for c in where if c.latest})
    out: dict[tuple[uuid.UUID, str], float] = {}
    if not fields:
        return out
    for chunk in store.query(run_filter, series, fields):
        for name in fields:
            column = chunk.batch.column(name)
            if pa.types.is_floating(column.type):
                column = pc.filter(column, pc.is_finite(column))
            if len(column) == 0:
                continue
            top = pc.max(column).as_py()
            key = (chunk.run, name)
            if top is not None and (key not in out or top > out[key]):
                out[key] = top
    return out


def _mask(chunk: Chunk, c: RowCondition, latest: dict[tuple[uuid.UUID, str], float]) -> pa.Array:
    column = chunk.batch.column(c.field)
    if c.latest:
        top = latest.get((chunk.run, c.field), math.nan)
        return pc.equal(column, pa.scalar(top).cast(column.type))
    return pc.equal(column, pa.scalar(c.equals).cast(column.type))


def kept_rows(chunks: Iterator[Chunk], where: Sequence[RowCondition],
              latest: dict[tuple[uuid.UUID, str], float], keep: Sequence[str]) -> Iterator[Chunk]:
    """The chunks with only the rows every condition keeps, and only the columns `keep`
    (a condition's field is read for the test and dropped after, unless exported)."""
    for chunk in chunks:
        batch = chunk.batch
        if where:
            mask = _mask(chunk, where[0], latest)
            for c in where[1:]:
                mask = pc.and_(mask, _mask(chunk, c, latest))
            batch = batch.filter(pc.fill_null(mask, fill_value=False))
            if batch.num_rows == 0:
                continue
        if list(batch.schema.names) != list(keep):
            batch = batch.select(list(keep))
        yield dataclasses.replace(chunk, batch=batch)
