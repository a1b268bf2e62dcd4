"""Reading back what a test logged to a server: a run's rows of a series, column by
column, and the run itself (the importers', integrations', drop-ins' and logger's
tests). The fixtures that start the server and keep the cache private are in
tests/conftest.py (`uri`, `private_cache`)."""

from __future__ import annotations

import uuid
from typing import Any

from streamvis.client import Client
from streamvis.model.schema import RunFilter


def _handle(run: uuid.UUID | str) -> uuid.UUID:
    return run if isinstance(run, uuid.UUID) else uuid.UUID(run)


def series_rows(uri: str, run: uuid.UUID | str, series: str) -> dict[str, list[Any]]:
    """Every row of one run's series, column by column, in sequence order."""
    out: dict[str, list[Any]] = {}
    with Client(uri) as client:
        for chunk in client.query(series, RunFilter(handles=(_handle(run),))):
            for name in chunk.batch.schema.names:
                out.setdefault(name, []).extend(chunk.batch.column(name).to_pylist())
    return out


def run_info(uri: str, run: uuid.UUID | str) -> Any:
    """The run (tags, attributes) as the server has it; None if it has none."""
    with Client(uri) as client:
        runs = client.runs(RunFilter(handles=(_handle(run),)))
    return runs[0] if runs else None
