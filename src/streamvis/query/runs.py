"""`RunList`: the runs a search found, as a list and as a table."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pyarrow as pa

from streamvis.model import arrays
from streamvis.model.schema import Run


class RunList(list[Run]):
    """A list of `streamvis.model.schema.Run` (handle, started_at, tags, attributes).

    What `Connection.runs` returns; `fetch(runs=...)` and the other `runs=`
    arguments take it (or any list of runs or handles).
    """

    @property
    def handles(self) -> list[uuid.UUID]:
        return [run.handle for run in self]

    def to_arrow(self) -> pa.Table:
        """One row per run: `handle`, `started_at` (UTC timestamp), `tags` (a list),
        then one column per attribute, by name (null where a run has none).

        Built from buffers (model/arrays.py): pyarrow's `pa.array` would import pandas."""
        started = np.array([run.started_at for run in self], dtype=np.float64)
        micros = arrays.numbers(np.round(started * 1e6).astype(np.int64), pa.int64())
        tag_counts = np.fromiter((len(run.tags) for run in self), np.int64, len(self))
        tag_ends = np.zeros(len(self) + 1, np.int32)
        np.cumsum(tag_counts, out=tag_ends[1:])
        columns: dict[str, pa.Array] = {
            "handle": arrays.strings([str(run.handle) for run in self]),
            "started_at": micros.view(pa.timestamp("us", tz="UTC")),
            "tags": pa.ListArray.from_arrays(
                arrays.numbers(tag_ends, pa.int32()),
                arrays.strings([tag for run in self for tag in run.tags])),
        }
        names = sorted({name for run in self for name in run.attributes})
        attributes = [arrays.values([run.attributes.get(name) for run in self])
                      for name in names]
        return pa.Table.from_arrays([*columns.values(), *attributes], names=[*columns, *names])

    def to_pandas(self) -> Any:
        """`to_arrow()` as a pandas DataFrame (pandas must be installed)."""
        return self.to_arrow().to_pandas()
