"""Wall-clock time beside every row: the `_time` and `_elapsed` pseudo-fields.

The logger stamps each `write` call with the time it was made (one clock read per
call, shared by all the rows the call gives) and sends it as an extra column named
`_time` beside the series' fields. The store keeps it inside the chunk, as a column
named by a fixed handle (the way every column is named by its field's handle), and
reads it back as two pseudo-fields that every series has without declaring them, as
every row has its `run`:

- `_time`: seconds since the Unix epoch (UTC) when the row was written;
- `_elapsed`: `_time` minus the run's `started_at`, seconds since the run started.

They are not rows of the type registry's fields table and never appear in a series'
declared fields, so a series' schema says only what the program declared. An append
without `_time` (an older logger, a direct store append) is stamped with the time the
store received it. A chunk stored before streamvis kept times has none: its rows read
NaN, and a plot against time does not draw them (docs/decisions/0027-wall-clock-time.md).
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import Field
from streamvis.model.types import FieldType

TIME = "_time"
ELAPSED = "_elapsed"
NAMES = (TIME, ELAPSED)

#: Fixed handles: the stored column of `_time` is named by TIME_FIELD's handle.
TIME_FIELD = Field(uuid.UUID("5f3a2a8e-7b1c-4d2e-9a51-0c0ffee00001"), TIME, FieldType.FLOAT,
                   "wall-clock time the row was written, seconds since the Unix epoch (UTC)")
ELAPSED_FIELD = Field(uuid.UUID("5f3a2a8e-7b1c-4d2e-9a51-0c0ffee00002"), ELAPSED,
                      FieldType.FLOAT, "seconds since the run started when the row was written")
FIELDS = {TIME: TIME_FIELD, ELAPSED: ELAPSED_FIELD}


def check_not_reserved(name: str) -> None:
    """Refuse a field named like a pseudo-field: it would hide the logger's time."""
    if name in FIELDS:
        raise InvalidArgumentError(
            f"field name {name!r} is reserved: every series has it, the wall-clock time the "
            "logger records (docs/concepts.md, Time); choose another name"
        )


def time_column(column: pa.Array | None, rows: int, now: float) -> pa.Array:
    """The `_time` column (float64 seconds) of an append of `rows` rows: the one given,
    checked, or `now` for every row when none was sent (an older logger, a direct
    store append). A float column is seconds; an int column is microseconds, which is
    how the logger sends it: the rows of one write share a time, and a run-end encoded
    int column carries them once a write."""
    if column is None:
        return pa.array(np.full(rows, now, np.float64))
    if isinstance(column, pa.Array) and pa.types.is_run_end_encoded(column.type):
        # Kept as runs (one time per write, not per row): checked and stored as such.
        ree: Any = column
        if ree.offset or len(ree) != rows:
            return time_column(pc.run_end_decode(column), rows, now)
        values = time_column(ree.values, len(ree.values), now)
        return pa.RunEndEncodedArray.from_arrays(ree.run_ends, values)
    kind = getattr(column, "type", None)
    if kind is None or not (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
        raise InvalidArgumentError(
            f"column {TIME!r} is {kind or type(column).__name__}; it takes float seconds "
            "(or int microseconds) since the Unix epoch, one per row, or leave it out and "
            "the server stamps the append's time"
        )
    if len(column) != rows:
        raise InvalidArgumentError(
            f"column {TIME!r} has {len(column)} values for {rows} rows: give one time per row"
        )
    if column.null_count:
        raise InvalidArgumentError(
            f"column {TIME!r} has a missing time: give one time for every row")
    values = column.to_numpy(zero_copy_only=False).astype(np.float64)
    if pa.types.is_integer(kind):
        values /= 1e6
    if not np.all(np.isfinite(values)):
        raise InvalidArgumentError(
            f"column {TIME!r} has a non-finite time: give finite seconds since the Unix epoch"
        )
    return pa.array(values)


def micros(times: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Seconds since the epoch as the int microseconds the logger sends."""
    return np.round(times * 1e6).astype(np.int64)
