"""Inferred declarations (DataLogger(infer=True)), against the real server."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.logger import AsyncDataLogger, DataLogger
from streamvis.logger.infer import infer_declaration
from streamvis.model.errors import InvalidArgumentError, LoggerWarning
from streamvis.model.schema import FieldType
from tests.served import series_rows as query_rows

from .server import ServerProcess, free_port


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _field_types(uri: str) -> dict[str, FieldType]:
    with Client(uri) as client:
        return {f.name: f.type for f in client.fields()}


def test_a_write_to_an_unknown_series_declares_it_with_inferred_types(uri: str) -> None:
    series, n, x, ok, tag = (_name(p) for p in ("inf", "n", "x", "ok", "tag"))
    with DataLogger(uri, infer=True, strict=True) as logger:
        for i in range(3):
            logger.write(series, **{n: i, x: i / 2, ok: i % 2 == 0, tag: f"t{i}"})
    types = _field_types(uri)
    assert (types[n], types[x], types[ok], types[tag]) == (
        FieldType.INT, FieldType.FLOAT, FieldType.BOOL, FieldType.STRING)
    rows = query_rows(uri, logger.run_handle, series)
    assert rows[n] == [0, 1, 2]
    assert rows[x] == [0.0, 0.5, 1.0]
    assert rows[ok] == [True, False, True]
    assert rows[tag] == ["t0", "t1", "t2"]


def test_arrays_infer_from_their_dtype_and_declared_fields_keep_their_type(uri: str) -> None:
    series = _name("inf-arr")
    # `loss` is declared float by the fixture: an int first value does not make it int.
    with DataLogger(uri, infer=True, strict=True) as logger:
        logger.write(series, step=np.arange(3), loss=np.array([1, 2, 3]))
    rows = query_rows(uri, logger.run_handle, series)
    assert rows == {"step": [0, 1, 2], "loss": [1.0, 2.0, 3.0]}


def test_media_values_infer_their_media_type(uri: str, tmp_path: Path) -> None:
    """A uint8 (H, W, C) array or a PIL image is an image, a streamvis.Audio audio; the
    values round-trip (PNG bit-exact)."""
    from PIL import Image  # noqa: PLC0415 -- the media extra

    import streamvis  # noqa: PLC0415

    series, img, pil, clip = (_name(p) for p in ("inf-media", "img", "pil", "clip"))
    pixels = np.random.default_rng(1).integers(0, 256, (6, 5, 3), dtype=np.uint8)
    with DataLogger(uri, infer=True, strict=True, spool_dir=tmp_path) as logger:
        logger.write(series, step=0, **{img: pixels, pil: Image.fromarray(pixels),
                                         clip: streamvis.Audio(np.zeros(800, np.float32), 8000)})
    types = _field_types(uri)
    assert (types[img], types[pil], types[clip]) == (
        FieldType("image"), FieldType("image"), FieldType("audio"))
    with streamvis.connect(uri) as sv:
        row = sv.fetch(series, runs=[logger.run_handle]).to_pylist()[0]
        assert np.array_equal(sv.media(row[img], as_="numpy"), pixels)
        assert np.array_equal(sv.media(row[pil], as_="numpy"), pixels)
        assert row[clip]["media_type"] == "audio/wav"


def test_a_later_write_that_disagrees_is_refused_saying_why(uri: str) -> None:
    series, v = _name("inf-bad"), _name("v")
    with DataLogger(uri, infer=True, strict=True) as logger:
        logger.write(series, **{v: 1.5})
        with pytest.raises(InvalidArgumentError) as info:
            logger.write(series, **{v: "high"})
        text = str(info.value)
        assert f"{v!r} is float but got a str" in text
        assert "declared from its first write (infer=True)" in text
        with pytest.raises(InvalidArgumentError, match="missing"):
            logger.write(series, other=1)
        logger.write(series, **{v: 2})  # an int fits a float field
    assert query_rows(uri, logger.run_handle, series)[v] == [1.5, 2.0]


def test_without_infer_an_unknown_series_is_still_refused(uri: str) -> None:
    with DataLogger(uri) as logger, pytest.warns(LoggerWarning, match="does not exist"):
        logger.write(_name("undeclared"), a=1)


def test_a_value_of_no_inferable_type_says_what_to_log() -> None:
    with pytest.raises(InvalidArgumentError, match=r"field .c.: cannot log .* complex128"):
        infer_declaration("s", {"c": np.array([1j])}, {})
    with pytest.raises(InvalidArgumentError, match="no fields"):
        infer_declaration("s", {}, {})
    fields, series = infer_declaration("s", {"a": True, "b": 1}, {"b": FieldType.FLOAT})
    assert fields == {"a": FieldType.BOOL}
    assert series == {"s": ("a", "b")}


def test_inference_works_while_the_server_is_away(tmp_path: Path, spool: Path) -> None:
    # Declared through the queue: spooled with the writes, applied first when it is back.
    port = free_port()
    address = f"127.0.0.1:{port}"
    series, v = _name("inf-off"), _name("v")
    logger = DataLogger(address, spool_dir=spool, flush_every=0.05, infer=True).start()
    for step in range(5):
        logger.write(series, step=step, **{v: step * 0.5})
    with pytest.warns(LoggerWarning, match="declared from its first write"):
        logger.write(series, step=9, **{v: "x"})
    assert not logger.flush(timeout=1.0)  # nobody answers
    server = ServerProcess(tmp_path / "data", port=port).start()
    try:
        assert logger.stop(timeout=60)
        rows = query_rows(address, logger.run_handle, series)
        assert rows == {"step": [0, 1, 2, 3, 4], v: [0.0, 0.5, 1.0, 1.5, 2.0]}
        assert _field_types(address)[v] is FieldType.FLOAT
    finally:
        server.stop()


def test_the_async_logger_infers_too(uri: str) -> None:
    series = _name("inf-aio")

    async def main() -> uuid.UUID:
        async with AsyncDataLogger(uri, infer=True, strict=True) as logger:
            logger.write(series, step=1, ok=True)
        return logger.run_handle

    handle = asyncio.run(main())
    assert query_rows(uri, handle, series) == {"step": [1], "ok": [True]}
