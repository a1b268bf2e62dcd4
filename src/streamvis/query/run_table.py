"""`Connection.run_table`: one row per run, its columns run attributes and summaries of a
series: the table `POST /api/data` with `"per_run": true` sends the web UI.

It is built from the runs (ListRuns) and their summaries (GetSummaries) by the rule the
web route uses (model/run_columns.py), so both give the same columns and values.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from streamvis.client import Client
from streamvis.model.errors import NotFoundError
from streamvis.model.run_columns import build_run_table, column_names, run_column, summarized
from streamvis.model.schema import RunFilter


def fetch_run_table(
    client: Client, series: str, fields: Sequence[str] | None, attributes: Sequence[str],
    run_filter: RunFilter,
) -> pa.Table:
    """The per-run table of `series` for the runs `run_filter` matches (names as
    `model.run_columns.column_names` reads them); every name is checked before any
    run is read."""
    found = next((s for s in client.series() if s.name == series), None)
    if found is None:
        raise NotFoundError(
            f"no series named {series!r}: see `streamvis series` (or sv.series())")
    by_name = {f.name: f for f in client.fields()}
    columns = [run_column(name, found, by_name)
               for name in column_names(found, by_name, fields, attributes)]
    summaries = client.summaries(run_filter, [series], summarized(columns))
    return build_run_table(columns, client.runs(run_filter), summaries)
