"""`RunList`: the runs a search found, as a list and as a table."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pyarrow as pa

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
        then one column per attribute, by name (null where a run has none)."""
        started = np.array([run.started_at for run in self], dtype=np.float64)
        columns: dict[str, pa.Array] = {
            "handle": pa.array([str(run.handle) for run in self], pa.string()),
            "started_at": pa.array(
                np.round(started * 1e6).astype(np.int64), pa.timestamp("us", tz="UTC")
            ),
            "tags": pa.array([list(run.tags) for run in self], pa.list_(pa.string())),
        }
        names = sorted({name for run in self for name in run.attributes})
        arrays = [pa.array([run.attributes.get(name) for run in self]) for name in names]
        return pa.Table.from_arrays(
            [*columns.values(), *arrays], names=[*columns, *names]
        )

    def to_pandas(self) -> Any:
        """`to_arrow()` as a pandas DataFrame (pandas must be installed)."""
        return self.to_arrow().to_pandas()
