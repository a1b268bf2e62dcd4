"""Shared helpers of the store contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from streamvis.model.schema import Field, Run, RunFilter, Series
from streamvis.store import ChunkInfo, Store, is_postgres_location
from streamvis.store.dialect import Session
from streamvis.store.postgres import PostgresSession
from streamvis.store.postgres import connect as pg_connect
from streamvis.store.sqlite import FILE_NAME, SqliteSession
from streamvis.store.sqlite import connect as sqlite_connect


@dataclass(frozen=True)
class Schema:
    step: Field
    loss: Field
    lr: Field
    optimizer: Field
    seed: Field
    good: Field
    train: Series


def train_columns(steps: list[int], losses: list[float] | None = None) -> dict[str, pa.Array]:
    if losses is None:
        losses = [float(s) / 10 for s in steps]
    return {"step": pa.array(steps, pa.int64()), "loss": pa.array(losses, pa.float64())}


@dataclass(frozen=True)
class State:
    """Everything a client can see in a store, to check that a request changed nothing."""

    fields: list[Field]
    series: list[Series]
    runs: list[Run]
    chunks: list[ChunkInfo]
    last_sequence: int


def state(store: Store) -> State:
    return State(
        store.list_fields(),
        store.list_series(),
        store.list_runs(RunFilter()),
        store.chunks_after(0),
        store.last_sequence(),
    )


@contextmanager
def raw_session(location: str) -> Iterator[Session]:
    """A session on the database at `location`, without opening a store."""
    if is_postgres_location(location):
        with pg_connect(location) as conn:
            yield PostgresSession(conn, location)
        return
    Path(location).mkdir(parents=True, exist_ok=True)
    lite = sqlite_connect(Path(location) / FILE_NAME)
    try:
        yield SqliteSession(lite, location)
    finally:
        lite.close()
