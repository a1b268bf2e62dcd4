"""Fixtures of the logger tests: a real server (one per session), the shared schema."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pytest

from streamvis.logger import declare_schema

from .fake_server import FakeServer
from .server import ServerProcess

FIELDS = {"i": "int", "f": "float", "b": "bool", "s": "string", "step": "int", "loss": "float"}
SERIES = {
    "ints": ["i"], "floats": ["f"], "bools": ["b"], "strings": ["s"],
    "train": ["step", "loss"], "all": ["i", "f", "b", "s"],
}


class HasUri(Protocol):
    @property
    def uri(self) -> str: ...


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HasUri]:
    """The real server; STREAMVIS_TEST_FAKE_SERVER=1 swaps in the in-process fake."""
    if os.environ.get("STREAMVIS_TEST_FAKE_SERVER") == "1":
        fake = FakeServer()
        yield fake
        fake.close()
        return
    proc = ServerProcess(tmp_path_factory.mktemp("server-data")).start()
    try:
        declare_schema(FIELDS, SERIES, uri=proc.uri)
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def uri(server: HasUri) -> str:
    if isinstance(server, FakeServer):
        declare_schema(FIELDS, SERIES, uri=server.uri)
    return server.uri


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    srv = FakeServer()
    srv.declare(FIELDS, {k: list(v) for k, v in SERIES.items()})
    yield srv
    srv.close()


@pytest.fixture(autouse=True)
def _private_cache(private_cache: None) -> None:
    """No test may spool into the developer's ~/.cache."""


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    return tmp_path / "spool"


@pytest.fixture
def jax_conversions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Each conversion of a jax value to the host from now on: (the thread, whether it got
    a jax array). jax is imported here only: the other tests run without it."""
    import jax  # noqa: PLC0415

    from streamvis.logger import tensors  # noqa: PLC0415

    calls: list[tuple[str, bool]] = []
    convert = tensors.jax_to_host

    def recording(value: Any) -> np.ndarray:
        calls.append((threading.current_thread().name, isinstance(value, jax.Array)))
        return convert(value)

    monkeypatch.setattr(tensors, "jax_to_host", recording)
    return calls
