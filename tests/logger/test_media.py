"""Media values through the whole path, on both stores: logger (encoded on the flusher)
-> server (blobs, references checked) -> data API (`fetch`, `sv.media`) -> export and
HTTP; and the write-time refusals of hostile values."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import uuid
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pyarrow import feather

import streamvis
from streamvis.cli.export import export_series
from streamvis.client import Client
from streamvis.logger.buffers import BUFFERS
from streamvis.model.errors import InvalidArgumentError, LoggerWarning
from streamvis.model.schema import RunFilter
from streamvis.query import Connection
from streamvis.testing import ServerProcess

NewStore = Callable[[str], contextlib.AbstractContextManager[str]]
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

FIELDS: dict[str, str | dict[str, Any]] = {
    "step": "int",
    "caption": {"type": "string", "options": {"format": "markdown"}},
    "img": "image",
    "photo": {"type": "image", "options": {"encoding": "jpeg", "quality": 80}},
    "thumb": {"type": "image", "options": {"encoding": "webp", "quality": 70}},
    "clip": "audio",
    "movie": {"type": "video", "options": {"fps": 5}},
}
SERIES = {
    "samples": ["step", "img", "caption"],
    "lossy": ["step", "photo", "thumb"],
    "sounds": ["step", "clip"],
    "movies": ["step", "movie"],
}


@pytest.fixture(scope="module", params=STORES)
def server(request: pytest.FixtureRequest, new_store: NewStore) -> Iterator[ServerProcess]:
    with new_store(request.param) as location, ServerProcess(location) as proc:
        streamvis.declare_schema(FIELDS, SERIES, uri=proc.uri)
        yield proc


@pytest.fixture(scope="module")
def sv(server: ServerProcess) -> Iterator[Connection]:
    with streamvis.connect(server.uri) as connection:
        yield connection


def _images(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 24, 40, 3), dtype=np.uint8)


def _log(server: ServerProcess, tmp_path: Path, write: Callable[[streamvis.DataLogger], object]
         ) -> uuid.UUID:
    with streamvis.DataLogger(uri=server.uri, spool_dir=tmp_path / "spool", strict=True) as lg:
        write(lg)
        return lg.run_handle


def test_png_round_trips_bit_exact_with_broadcasting(
    server: ServerProcess, sv: Connection, tmp_path: Path
) -> None:
    imgs = _images(4)
    chw = imgs[0].transpose(2, 0, 1).copy()
    floats = imgs[1].astype(np.float32) / 255.0

    def write(lg: streamvis.DataLogger) -> None:
        lg.write("samples", step=np.arange(4), img=imgs, caption="**batch**")  # 4 rows
        lg.write("samples", step=10, img=chw, caption="chw")
        lg.write("samples", step=11, img=floats, caption="float")
        lg.write("samples", step=12, img=Image.fromarray(imgs[2]), caption="pil")
        lg.write("samples", step=np.arange(20, 23), img=imgs[3], caption="same")  # 3 rows

    run = _log(server, tmp_path, write)
    table = sv.fetch("samples", runs=[run])
    assert table.column("step").to_pylist() == [0, 1, 2, 3, 10, 11, 12, 20, 21, 22]
    refs = table.column("img").to_pylist()
    expected = [*imgs, imgs[0], imgs[1], imgs[2], imgs[3], imgs[3], imgs[3]]
    for ref, want in zip(refs, expected, strict=True):
        assert (ref["media_type"], ref["width"], ref["height"]) == ("image/png", 40, 24)
        got = sv.media(ref, as_="numpy")
        assert got.dtype == np.uint8
        assert np.array_equal(got, want)
        data = sv.media(ref)
        assert hashlib.sha256(data).hexdigest() == ref["sha256"]
        assert len(data) == ref["bytes"]
    # The same image is one blob.
    assert refs[0]["sha256"] == refs[4]["sha256"]
    assert len({r["sha256"] for r in refs[7:]}) == 1
    assert isinstance(sv.media(refs[0], as_="pil"), Image.Image)


def test_jax_images_are_kept_at_write_and_stored_bit_exact(
    server: ServerProcess, sv: Connection, tmp_path: Path,
    jax_conversions: list[tuple[str, bool]],
) -> None:
    import jax.numpy as jnp  # noqa: PLC0415 -- the other tests run without it

    imgs = _images(4, seed=5)
    converted = jax_conversions

    def write(lg: streamvis.DataLogger) -> None:
        assert lg.flush(timeout=30)
        lg.write("samples", step=np.arange(2), img=jnp.asarray(imgs[:2]), caption="batch")
        lg.write("samples", step=2, img=jnp.asarray(imgs[2].transpose(2, 0, 1)), caption="chw")
        lg.write("samples", step=3, img=jnp.asarray(imgs[3], dtype=jnp.float32) / 255.0,
                 caption="float")
        assert converted == []  # the writes kept the jax arrays themselves
        assert lg.flush(timeout=30)
        assert converted and set(converted) == {("streamvis-flusher", True)}

    run = _log(server, tmp_path, write)
    refs = sv.fetch("samples", runs=[run]).column("img").to_pylist()
    assert [np.array_equal(sv.media(r, as_="numpy"), i) for r, i in zip(refs, imgs,
                                                                        strict=True)] == [True] * 4


def test_lossy_encodings_round_trip_as_encoded(
    server: ServerProcess, sv: Connection, tmp_path: Path
) -> None:
    img = _images(1, seed=3)[0]
    run = _log(server, tmp_path, lambda lg: lg.write("lossy", step=0, photo=img, thumb=img))
    row = sv.fetch("lossy", runs=[run]).to_pylist()[0]
    assert row["photo"]["media_type"] == "image/jpeg"
    assert row["thumb"]["media_type"] == "image/webp"
    for name, fmt in (("photo", "JPEG"), ("thumb", "WEBP")):
        stored = sv.media(row[name])
        again = io.BytesIO()
        Image.fromarray(img).save(again, format=fmt, quality=80 if fmt == "JPEG" else 70)
        assert stored == again.getvalue()  # what the field's options encode, unchanged


def test_audio_as_wav(server: ServerProcess, sv: Connection, tmp_path: Path) -> None:
    t = np.linspace(0, 0.25, 2000, endpoint=False)
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes((np.arange(800) % 50).astype("<i2").tobytes())
    wav = out.getvalue()

    def write(lg: streamvis.DataLogger) -> None:
        lg.write("sounds", step=0, clip=streamvis.Audio(tone, 8000))
        lg.write("sounds", step=1, clip=wav)

    run = _log(server, tmp_path, write)
    rows = sv.fetch("sounds", runs=[run]).to_pylist()
    assert rows[0]["clip"]["media_type"] == "audio/wav"
    assert rows[0]["clip"]["duration"] == pytest.approx(0.25)
    pcm = sv.media(rows[0]["clip"], as_="numpy")
    assert np.array_equal(pcm, np.round(tone * 32767).astype(np.int16))
    assert sv.media(rows[1]["clip"]) == wav  # bytes are stored as given
    assert rows[1]["clip"]["duration"] == pytest.approx(0.1)


def test_video_from_frames(server: ServerProcess, sv: Connection, tmp_path: Path) -> None:
    pytest.importorskip("av")
    frames = np.zeros((10, 32, 48, 3), np.uint8)
    frames[:, :, :, 0] = np.arange(10)[:, None, None] * 20
    run = _log(server, tmp_path, lambda lg: lg.write("movies", step=0, movie=frames))
    ref = sv.fetch("movies", runs=[run]).to_pylist()[0]["movie"]
    assert (ref["media_type"], ref["width"], ref["height"]) == ("video/mp4", 48, 32)
    assert ref["duration"] == pytest.approx(2.0)
    data = sv.media(ref)
    assert data[4:8] == b"ftyp"


def test_export_writes_media_files_beside_the_table(
    server: ServerProcess, tmp_path: Path
) -> None:
    imgs = _images(2, seed=7)
    run = _log(server, tmp_path,
               lambda lg: lg.write("samples", step=np.arange(2), img=imgs, caption="x"))
    target = tmp_path / "out" / "samples.arrow"
    target.parent.mkdir()
    with Client(server.uri) as client:
        rows = export_series(client, "samples", target, run_filter=RunFilter(handles=(run,)))
    assert rows == 2
    paths = feather.read_table(target).column("img").to_pylist()
    assert all(p.startswith("samples_media/") and p.endswith(".png") for p in paths)
    for p, want in zip(paths, imgs, strict=True):
        assert np.array_equal(np.asarray(Image.open(target.parent / p)), want)


def test_http_gives_media_cells_and_serves_the_bytes(
    server: ServerProcess, tmp_path: Path
) -> None:
    import httpx  # noqa: PLC0415

    img = _images(1, seed=9)[0]
    run = _log(server, tmp_path, lambda lg: lg.write("samples", step=5, img=img, caption="c"))
    base = server.web_url.rstrip("/")
    with httpx.Client(base_url=base) as http:
        body = http.post("/api/media", json={"series": "samples",
                                             "filter": {"handles": [str(run)]}}).json()
        cell = body["rows"][0]["img"]
        assert set(cell) == {"sha256", "url", "media_type", "width", "height", "duration",
                             "bytes"}
        assert body["rows"][0]["caption"] == "c"
        got = http.get("/" + cell["url"])
        assert got.status_code == 200
        assert got.headers["content-type"] == "image/png"
        assert "immutable" in got.headers["cache-control"]
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(got.content))), img)
        part = http.get("/" + cell["url"], headers={"Range": "bytes=0-7"})
        assert part.status_code == 206
        assert part.content == b"\x89PNG\r\n\x1a\n"
        fields = {f["name"]: f for f in http.get("/api/fields").json()}
        assert fields["caption"]["format"] == "markdown"
        assert fields["photo"]["media"] == {"kind": "image", "media_type": "image/jpeg",
                                            "encoding": "jpeg", "quality": 80}
        assert fields["movie"]["media"]["fps"] == 5.0


def test_deleting_the_run_drops_its_blobs(server: ServerProcess, sv: Connection,
                                         tmp_path: Path) -> None:
    img = _images(1, seed=11)[0]
    run = _log(server, tmp_path, lambda lg: lg.write("samples", step=0, img=img, caption="d"))
    ref = sv.fetch("samples", runs=[run]).to_pylist()[0]["img"]
    with Client(server.uri) as client:
        client.delete_run(run)
        assert not client.begin_upload(ref["sha256"], ref["bytes"]).complete


@pytest.mark.parametrize(("value", "message"), [
    (np.zeros((8, 8, 3), np.int32), "uint8, or float"),
    (np.zeros((8, 8, 7), np.uint8), "(H, W, C)"),
    (np.zeros((1, 2, 3, 4, 5), np.uint8), "(H, W, C)"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "truncated"),
    (b"GIF89a....", "no format"),
    # A view of 30 GB: refused from its shape, before any copy.
    (np.broadcast_to(np.zeros(1, np.uint8), (100_000, 100_000, 3)), "MAX_MEDIA_PIXELS"),
    ("a string", "uint8, or float"),
])
def test_hostile_values_are_refused_at_write(
    server: ServerProcess, tmp_path: Path, value: object, message: str
) -> None:
    with streamvis.DataLogger(uri=server.uri, spool_dir=tmp_path / "spool",
                              strict=True) as lg, pytest.raises(InvalidArgumentError,
                                                                match=message):
        lg.write("samples", step=0, img=value, caption="bad")


def test_media_rows_logged_while_the_server_is_away_are_spooled_and_synced(
    server: ServerProcess, sv: Connection, tmp_path: Path
) -> None:
    imgs = _images(3, seed=13)
    spool = tmp_path / "spool"
    logger = streamvis.DataLogger("127.0.0.1:1", spool_dir=spool, rpc_timeout=0.5)
    # Offline, the logger knows the schema only from what it is told.
    logger.declare({k: v for k, v in FIELDS.items() if k in ("step", "img", "caption")},
                   {"samples": SERIES["samples"]})
    logger.start()
    logger.write("samples", step=np.arange(3), img=imgs, caption="offline")
    run = logger.run_handle
    with pytest.warns(LoggerWarning, match="wait in the spool"):
        assert logger.stop(timeout=5).spooled == 3
    assert list((spool / str(run) / "media").glob("*.blob"))  # the encoded values wait
    assert streamvis.logger.sync_spool(spool / str(run), uri=server.uri) > 0
    refs = sv.fetch("samples", runs=[run]).column("img").to_pylist()
    assert [np.array_equal(sv.media(r, as_="numpy"), i) for r, i in zip(refs, imgs,
                                                                        strict=True)] == [True] * 3
    assert not list((spool / str(run) / "media").glob("*.blob"))  # sent: deleted


def test_reused_buffers_never_change_a_value_queued_or_sent(
    server: ServerProcess, sv: Connection, tmp_path: Path
) -> None:
    imgs = _images(12, seed=21)

    def write(lg: streamvis.DataLogger) -> None:
        for i, img in enumerate(imgs):
            lg.write("samples", step=i, img=img, caption="reuse")
            if i % 4 == 3:
                lg.flush()  # encoded and given back: later writes copy into those buffers

    run = _log(server, tmp_path, write)
    refs = sv.fetch("samples", runs=[run]).column("img").to_pylist()
    for ref, want in zip(refs, imgs, strict=True):
        assert np.array_equal(sv.media(ref, as_="numpy"), want)


_FRESH_HEIGHTS = itertools.count(26)


def test_writes_that_find_no_buffer_have_the_flusher_stock_one_ahead(
    server: ServerProcess, sv: Connection, tmp_path: Path
) -> None:
    # A form no other test logs: its pool starts empty, so the first writes miss, wake
    # the flusher, and it keeps buffers ready (buffers.py `stock`); what is stored is
    # still each write's value, though the caller reuses its array after every write.
    height = next(_FRESH_HEIGHTS)  # one per store: the pool is the process's
    imgs = np.random.default_rng(41).integers(0, 256, (16, height, 38, 3), dtype=np.uint8)
    pool = BUFFERS.pool(imgs[0])
    assert not pool and pool.missed == 0
    arr = np.empty_like(imgs[0])

    def write(lg: streamvis.DataLogger) -> None:
        for i in range(8):
            arr[...] = imgs[i]
            lg.write("samples", step=i, img=arr, caption="stock")
        assert lg.flush(timeout=30)
        assert pool.missed >= 1 and pool.reserve >= 1
        assert len(pool) >= max(8, pool.reserve)  # all given back; the reserve made
        missed = pool.missed
        for i in range(8, 16):
            arr[...] = imgs[i]
            lg.write("samples", step=i, img=arr, caption="stock")
        assert pool.missed == missed  # every one found a buffer

    run = _log(server, tmp_path, write)
    refs = sv.fetch("samples", runs=[run]).column("img").to_pylist()
    for ref, want in zip(refs, imgs, strict=True):
        assert np.array_equal(sv.media(ref, as_="numpy"), want)


def test_a_bad_image_after_good_ones_of_one_form_is_still_refused(
    server: ServerProcess, sv: Connection, tmp_path: Path
) -> None:
    # The fast path (validate.prepare_arrays) keeps the field's last array form: a
    # value of another form is checked again, and refused as the first one would be.
    imgs = _images(3, seed=31)
    with streamvis.DataLogger(uri=server.uri, spool_dir=tmp_path / "spool") as lg:
        for i, img in enumerate(imgs):
            lg.write("samples", step=i, img=img, caption="good")
        with pytest.warns(LoggerWarning, match="uint8, or float"):
            lg.write("samples", step=3, img=imgs[0].astype(np.int32), caption="bad")
        with pytest.warns(LoggerWarning, match="MAX_MEDIA_PIXELS"):
            lg.write("samples", step=4,
                     img=np.broadcast_to(np.zeros(1, np.uint8), (100_000, 100_000, 3)),
                     caption="bad")
        lg.write("samples", step=5, img=imgs[1], caption="good")
        run = lg.run_handle
    table = sv.fetch("samples", runs=[run])
    assert table.column("step").to_pylist() == [0, 1, 2, 5]
    refs = table.column("img").to_pylist()
    for ref, want in zip(refs, [*imgs, imgs[1]], strict=True):
        assert np.array_equal(sv.media(ref, as_="numpy"), want)
