"""What the store hands back for column data: chunks, their places, append results.

They live in the model layer, not the store, because the client side (the gRPC client,
the data API) builds and reads them too and must never import the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamvis.model.schema import Value

if TYPE_CHECKING:
    import pyarrow as pa  # the client lists runs without it (tests/cli/test_startup.py)


@dataclass(frozen=True)
class AppendResult:
    sequence: int
    rows: int
    duplicate: bool  # the idempotency key was stored before; nothing was added


@dataclass(frozen=True)
class Chunk:
    """One stored batch of one run's series, as a query returns it."""

    run: uuid.UUID
    sequence: int
    batch: pa.RecordBatch  # columns named by current field names, in requested order
    attributes: Mapping[str, Value]  # the run's requested attribute values


@dataclass(frozen=True)
class ChunkInfo:
    """Where a chunk belongs, without its data (for replaying live events)."""

    run: uuid.UUID
    series: str
    sequence: int
    rows: int
