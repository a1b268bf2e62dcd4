"""A server for the framework integrations' tests, and reading its rows back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from streamvis.client import Client
from streamvis.model.schema import RunFilter
from streamvis.testing import ServerProcess


@pytest.fixture(scope="package")
def uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ServerProcess(str(tmp_path_factory.mktemp("integrations"))) as proc:
        yield proc.uri


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("STREAMVIS_CAPTURE", "0")


def rows(uri: str, handle: str, series: str) -> dict[str, list[Any]]:
    """A run's rows of `series`, column by column."""
    out: dict[str, list[Any]] = {}
    with Client(uri) as client:
        for chunk in client.query(series, RunFilter(handles=(uuid.UUID(handle),))):
            for name in chunk.batch.schema.names:
                out.setdefault(name, []).extend(chunk.batch.column(name).to_pylist())
    return out


def run_info(uri: str, handle: str) -> Any:
    """The run's tags and attributes, as the server has them."""
    with Client(uri) as client:
        (info,) = client.runs(RunFilter(handles=(uuid.UUID(handle),)))
    return info
