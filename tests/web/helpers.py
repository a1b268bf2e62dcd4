"""Helpers of the web app tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.schema import Field, Series
from streamvis.store import Store

#: For tests of the web layer itself (parsing, errors): the backend makes no difference.
SQLITE_ONLY = pytest.mark.parametrize("location", ["sqlite"], indirect=True)


@dataclass(frozen=True)
class Schema:
    fields: dict[str, Field]
    train: Series
    layers: Series


def append_train(store: Store, run: uuid.UUID, steps: Any, losses: Any = None) -> int:
    steps = np.asarray(steps, np.int64)
    losses = steps / 10.0 if losses is None else np.asarray(losses, np.float64)
    return store.append(run, "train", {"step": pa.array(steps), "loss": pa.array(losses)}).sequence


def table(response: httpx.Response) -> pa.Table:
    """The Arrow table of a successful /api/data response."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apache.arrow.stream"
    return pa.ipc.open_stream(response.content).read_all()


def meta(t: pa.Table) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (t.schema.metadata or {}).items()}


def error(response: httpx.Response, status: int) -> str:
    """The message of an error response, after checking its status and shape."""
    assert response.status_code == status, response.text
    body = json.loads(response.text)
    assert set(body) == {"error", "message"}
    assert body["message"]
    return str(body["message"])


def filter_param(obj: object) -> dict[str, str]:
    return {"filter": json.dumps(obj)}
