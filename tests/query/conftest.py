"""A real server per module and store (SQLite, PostgreSQL) holding a small, known world.

`world` declares fields and series and logs four runs into them; tests that change
the store afterwards (watch tests) use other series and runs without the `world`
tag or any attribute, so the world's queries keep their answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pytest

import streamvis
from streamvis.client import Client
from streamvis.model.schema import Run, Value
from streamvis.query import Connection
from streamvis.testing import ServerProcess

#: The `new_store` fixture (tests/conftest.py).
NewStore = Callable[[str], contextlib.AbstractContextManager[str]]
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=STORES)
def server(request: pytest.FixtureRequest, new_store: NewStore) -> Iterator[ServerProcess]:
    with new_store(request.param) as location, ServerProcess(location) as proc:
        yield proc


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[Client]:
    with Client(server.uri) as c:
        yield c


@pytest.fixture(scope="module")
def sv(server: ServerProcess) -> Iterator[Connection]:
    with streamvis.connect(server.uri) as connection:
        yield connection


def epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


@dataclass
class World:
    runs: dict[str, Run]  # by name: a, b, c, d
    chunks: list[tuple[str, int, int]]  # (run name, sequence, rows) of "train", in order

    def handles(self, *names: str) -> set[uuid.UUID]:
        return {self.runs[n].handle for n in names}

    def name_of(self, handle: str | uuid.UUID) -> str:
        return next(n for n, r in self.runs.items() if str(r.handle) == str(handle))


@pytest.fixture(scope="module")
def world(client: Client) -> World:
    for name, kind in [
        ("step", "int"), ("loss", "float"), ("phase", "string"), ("ok", "bool"),
        ("lr", "float"), ("optimizer", "string"), ("epochs", "int"), ("fast", "bool"),
    ]:
        client.create_field(name, kind)
    client.create_series("train", ["step", "loss", "phase", "ok"])
    client.create_series("eval", ["step", "loss"])
    specs: dict[str, tuple[list[str], dict[str, Value], str]] = {
        "a": (["world", "baseline"], {"lr": 1e-3, "optimizer": "adam", "epochs": 10,
                                      "fast": True}, "2026-11-02"),
        "b": (["world", "baseline", "big"], {"lr": 0.1, "optimizer": "sgd", "epochs": 20,
                                             "fast": False}, "2026-11-05"),
        "c": (["world", "big"], {"lr": 5e-3, "optimizer": "adam", "epochs": 30,
                                 "fast": True}, "2026-11-10"),
        "d": (["world"], {"optimizer": "lion"}, "2026-10-15"),
    }
    runs = {
        name: client.create_run(tags=tags, attributes=attrs, started_at=epoch(when))
        for name, (tags, attrs, when) in specs.items()
    }
    chunks: list[tuple[str, int, int]] = []
    for name, rows in [("a", 3), ("b", 4), ("a", 2), ("c", 1), ("d", 2)]:
        start = sum(r for n, _, r in chunks if n == name)
        steps = np.arange(start, start + rows)
        result = client.append(runs[name].handle, "train", {
            "step": steps, "loss": steps * 0.5, "phase": np.array([f"{name}{s}" for s in steps]),
            "ok": steps % 2 == 0,
        })
        chunks.append((name, result.sequence, rows))
    client.append(runs["a"].handle, "eval", {"step": np.arange(2), "loss": np.ones(2)})
    return World(runs, chunks)
