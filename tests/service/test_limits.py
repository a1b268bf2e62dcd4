"""The size limits of streamvis.model.limits, refused with clear errors and nothing changed."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.logger import batching
from streamvis.model.errors import ResourceExhaustedError
from streamvis.model.limits import (
    MAX_DESCRIPTION_LENGTH,
    MAX_FIELDS_PER_SERIES,
    MAX_ROWS_PER_APPEND,
    MAX_STRING_LENGTH,
)
from streamvis.testing import ServerProcess


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with ServerProcess(str(tmp_path_factory.mktemp("limits"))) as server, \
            Client(server.uri) as c:
        c.create_field("text", "string")
        c.create_field("flag", "bool")
        c.create_series("texts", ["text"])
        c.create_series("flags", ["flag"])
        yield c


def test_a_long_string_value_is_refused(client: Client) -> None:
    run = client.create_run()
    at_limit = np.array(["a" * MAX_STRING_LENGTH], dtype=object)
    assert client.append(run.handle, "texts", {"text": at_limit}).rows == 1
    too_long = np.array(["ok", "é" * (MAX_STRING_LENGTH + 1)], dtype=object)
    with pytest.raises(ResourceExhaustedError, match=f"at most {MAX_STRING_LENGTH}"):
        client.append(run.handle, "texts", {"text": too_long})
    assert sum(c.batch.num_rows for c in client.query("texts")) == 1


def test_a_long_string_attribute_is_refused(client: Client) -> None:
    before = len(client.runs())
    with pytest.raises(ResourceExhaustedError, match="attribute 'text'"):
        client.create_run(attributes={"text": "x" * (MAX_STRING_LENGTH + 1)})
    assert len(client.runs()) == before


def test_a_long_description_is_refused(client: Client) -> None:
    with pytest.raises(ResourceExhaustedError, match="description"):
        client.create_field("described", "int", "d" * (MAX_DESCRIPTION_LENGTH + 1))
    assert "described" not in [f.name for f in client.fields()]


def test_too_many_fields_in_a_series_are_refused(client: Client) -> None:
    names = [f"f{i}" for i in range(MAX_FIELDS_PER_SERIES + 1)]
    with pytest.raises(ResourceExhaustedError, match=f"at most {MAX_FIELDS_PER_SERIES}"):
        client.create_series("wide", names)
    assert "wide" not in [s.name for s in client.series()]


def test_too_many_rows_in_one_append_are_refused(client: Client) -> None:
    run = client.create_run()
    # Bools travel one byte a row: the smallest request over the row limit (16 MiB).
    with pytest.raises(ResourceExhaustedError, match="several appends"):
        client.append(run.handle, "flags", {"flag": np.zeros(MAX_ROWS_PER_APPEND + 1, bool)})
    assert list(client.query("flags")) == []


def test_the_logger_splits_batches_at_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batching, "MAX_ROWS_PER_APPEND", 10)
    parts = batching._split({"flag": np.zeros(25, bool)}, 25, max_bytes=1 << 30)
    assert [n for _, n in parts] == [9, 9, 7]
    assert all(len(cols["flag"]) == n for cols, n in parts)
