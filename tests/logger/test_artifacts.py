"""logger.save against a real server on each store: kinds, order, spooling, a kill -9
mid-upload, and an over-limit refusal."""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
import tarfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streamvis.client import Client
from streamvis.logger import DataLogger
from streamvis.logger.artifacts import BYTES, PICKLE, TAR, TORCH
from streamvis.model.errors import LoggerWarning, StreamvisError
from streamvis.model.limits import BLOB_PART_BYTES
from streamvis.testing import ServerProcess
from streamvis.transfer import download_blob

from .server import free_port

NewStore = Callable[[str], contextlib.AbstractContextManager[str]]
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def location(request: pytest.FixtureRequest, new_store: NewStore) -> Iterator[str]:
    with new_store(request.param) as where:
        yield where


def _fetch(client: Client, sha256: str) -> bytes:
    out = io.BytesIO()
    download_blob(client, sha256, out)
    return out.getvalue()


def test_save_keeps_files_directories_objects_and_bytes(location: str, tmp_path: Path) -> None:
    model = tmp_path / "ckpt"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"w" * 1000)
    (model / "config.json").write_text('{"lr": 0.1}')
    single = tmp_path / "notes.txt"
    single.write_text("hello")
    with ServerProcess(location) as server:
        with DataLogger(server.uri, spool_dir=tmp_path / "spool", strict=True) as logger:
            logger.save(single, "notes")
            logger.save(model, "ckpt", step=10)
            logger.save({"epoch": 3, "best": [0.5, 0.25]}, "state", step=3)
            logger.save(b"raw bytes", "raw")
        with Client(server.uri) as client:
            saved = {a.name: a for a in client.artifacts(logger.run_handle)}
            assert {n: (a.step, a.media_type) for n, a in saved.items()} == {
                "ckpt": (10, TAR), "notes": (None, BYTES), "raw": (None, BYTES),
                "state": (3, PICKLE),
            }
            assert _fetch(client, saved["notes"].sha256) == b"hello"
            assert _fetch(client, saved["raw"].sha256) == b"raw bytes"
            assert pickle.loads(_fetch(client, saved["state"].sha256)) == {  # noqa: S301
                "epoch": 3, "best": [0.5, 0.25],
            }
            with tarfile.open(fileobj=io.BytesIO(_fetch(client, saved["ckpt"].sha256))) as tar:
                assert sorted(tar.getnames()) == ["ckpt", "ckpt/config.json", "ckpt/weights.bin"]
    # Uploaded files leave nothing behind in the spool.
    assert not (tmp_path / "spool" / str(logger.run_handle)).exists()


def test_a_torch_state_dict_goes_through_torch_save(location: str, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    state = {"w": torch.arange(6.0).reshape(2, 3)}
    with ServerProcess(location) as server:
        with DataLogger(server.uri, spool_dir=tmp_path / "spool", strict=True) as logger:
            logger.save(state, "model")
        with Client(server.uri) as client:
            [artifact] = client.artifacts(logger.run_handle)
            assert artifact.media_type == TORCH
            back = torch.load(io.BytesIO(_fetch(client, artifact.sha256)))
    assert torch.equal(back["w"], state["w"])


def test_an_upload_survives_a_kill_mid_upload(location: str, tmp_path: Path) -> None:
    data = bytes(range(256)) * (24 * BLOB_PART_BYTES // 256) + b"tail"
    sha = hashlib.sha256(data).hexdigest()
    server = ServerProcess(location, port=free_port()).start()  # the same port after start()
    try:
        logger = DataLogger(server.uri, spool_dir=tmp_path / "spool", flush_every=0.05,
                            rpc_timeout=5).start()
        logger.save(data, "big")
        with Client(server.uri) as client:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # until some parts, not all, are stored
                status = client.begin_upload(sha, len(data))
                if status.complete or status.have_parts:
                    break
                time.sleep(0.005)
        assert not status.complete, "the upload ended before the server could be killed"
        server.kill()
        server.start()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LoggerWarning)
            assert logger.stop(timeout=120)
        assert not [str(w.message) for w in caught if issubclass(w.category, LoggerWarning)]
        with Client(server.uri) as client:
            [artifact] = client.artifacts(logger.run_handle)
            assert artifact.sha256 == sha
            assert _fetch(client, sha) == data
    finally:
        server.stop()


def test_an_artifact_over_the_limit_is_refused_and_reported(
    location: str, tmp_path: Path,
) -> None:
    with ServerProcess(location, extra_args=["--max-artifact-mb", "1"]) as server:
        logger = DataLogger(server.uri, spool_dir=tmp_path / "spool", strict=True).start()
        logger.save(b"x" * (BLOB_PART_BYTES + 1), "too-big")
        logger.save(b"small", "fits")
        with pytest.raises(StreamvisError, match="at most 1,048,576 are accepted"):
            logger.stop()
        with Client(server.uri) as client:
            assert [a.name for a in client.artifacts(logger.run_handle)] == ["fits"]
    rejected = tmp_path / "spool" / str(logger.run_handle) / "rejected"
    assert any(p.name.endswith(".error.txt") for p in rejected.iterdir())


def test_save_checks_its_name_and_step_at_once(tmp_path: Path) -> None:
    logger = DataLogger("127.0.0.1:1", spool_dir=tmp_path / "spool", strict=True)
    with pytest.raises(StreamvisError, match="artifact name is empty"):
        logger.save(b"x", "")
    with pytest.raises(StreamvisError, match="step"):
        logger.save(b"x", "ok", step=-1)
