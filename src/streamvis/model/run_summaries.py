"""What a summary of runs' metrics is: per run and series, its rows and the last,
lowest and highest value of each numeric field.

The store computes them (store/metric_summaries.py); the web app, the gRPC service and
the data API (`Connection.summaries`) hand them on, so they live in the model, which
both sides may import.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

Number = int | float


@dataclass
class FieldSummary:
    """One numeric field of one run's series: its last, lowest and highest value.
    `last` is None for no rows; `min` and `max` are None when every value was NaN."""

    last: Number | None = None
    min: Number | None = None
    max: Number | None = None


@dataclass
class SeriesSummary:
    """One run's series: its rows and the summary of each numeric field."""

    run: uuid.UUID
    series: str
    rows: int = 0
    fields: dict[str, FieldSummary] = field(default_factory=dict)


def finite_or_none(value: Number | None) -> Number | None:
    """A summary value as JSON may carry it: NaN and infinities as None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
