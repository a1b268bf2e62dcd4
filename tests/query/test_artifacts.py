"""sv.artifacts, sv.load_artifact and sv.download against a real server on each store."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest

from streamvis.client import Client
from streamvis.model.artifacts import PICKLE, TAR
from streamvis.model.errors import NotFoundError
from streamvis.query import Connection
from streamvis.transfer import upload_artifact


def _tar_of(directory: Path) -> bytes:
    import tarfile  # noqa: PLC0415

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        tar.add(directory, arcname=directory.name)
    return out.getvalue()


def test_artifacts_load_as_what_was_saved(client: Client, sv: Connection, tmp_path: Path) -> None:
    run = client.create_run(tags=["artifacts"])
    upload_artifact(client, run.handle, "obj", io.BytesIO(pickle.dumps({"a": 1})), step=1,
                    media_type=PICKLE)
    upload_artifact(client, run.handle, "obj", io.BytesIO(pickle.dumps({"a": 2})), step=2,
                    media_type=PICKLE)
    upload_artifact(client, run.handle, "raw", io.BytesIO(b"\x00\x01 bytes"))
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "w.txt").write_text("weights")
    upload_artifact(client, run.handle, "dir", io.BytesIO(_tar_of(folder)), media_type=TAR)

    listed = sv.artifacts(run)
    assert [(a.name, a.step) for a in listed] == [("dir", None), ("obj", 1), ("obj", 2),
                                                  ("raw", None)]
    assert sv.load_artifact(run, "obj") == {"a": 2}  # the latest step
    assert sv.load_artifact(str(run.handle), "obj", step=1) == {"a": 1}
    assert sv.load_artifact(run, "raw") == b"\x00\x01 bytes"
    unpacked = sv.load_artifact(run, "dir", path=tmp_path / "out")
    assert (unpacked / "model" / "w.txt").read_text() == "weights"
    written = sv.download(run, "raw", tmp_path / "raw.bin")
    assert written.read_bytes() == b"\x00\x01 bytes"
    with pytest.raises(NotFoundError, match="no artifact 'obj' at step 7"):
        sv.load_artifact(run, "obj", step=7)
