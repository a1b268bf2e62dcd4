"""Artifacts over gRPC against a real server: upload in parts, resume, download, limits."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest

from streamvis.client import Client
from streamvis.model.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
)
from streamvis.model.limits import BLOB_PART_BYTES
from streamvis.testing import ServerProcess
from streamvis.transfer import download_blob, file_digest, upload_artifact

SIZE = 2 * BLOB_PART_BYTES + 777


def _content(seed: int, size: int = SIZE) -> bytes:
    return hashlib.sha256(str(seed).encode()).digest() * (size // 32) + b"x" * (size % 32)


def test_an_artifact_uploads_lists_and_downloads_whole(client: Client) -> None:
    run = client.create_run().handle
    data = _content(1)
    saved = upload_artifact(client, run, "model.pt", io.BytesIO(data), step=3,
                            media_type="application/x-torch")
    assert (saved.name, saved.step, saved.size) == ("model.pt", 3, SIZE)
    assert saved.sha256 == hashlib.sha256(data).hexdigest()
    assert client.artifacts(run) == [saved]
    out = io.BytesIO()
    assert download_blob(client, saved.sha256, out) == SIZE
    assert out.getvalue() == data
    # The same bytes again, for another run: the server has them, nothing is sent.
    other = client.create_run().handle
    assert client.begin_upload(saved.sha256, SIZE).complete
    assert client.save_artifact(other, "copy", saved.sha256).sha256 == saved.sha256


def test_an_upload_resumes_from_what_the_server_has(client: Client) -> None:
    run = client.create_run().handle
    data = _content(2)
    sha, size = file_digest(io.BytesIO(data))
    client.begin_upload(sha, size)
    client.put_blob_part(sha, 2, data[2 * BLOB_PART_BYTES:])
    with pytest.raises(FailedPreconditionError, match="lacks 2 of its 3 parts"):
        client.save_artifact(run, "half", sha)
    assert client.begin_upload(sha, size).missing_parts == [0, 1]
    saved = upload_artifact(client, run, "whole", io.BytesIO(data))
    assert saved.sha256 == sha
    assert [a.name for a in client.artifacts(run)] == ["whole"]


def test_bad_parts_and_hashes_are_refused(client: Client) -> None:
    run = client.create_run().handle
    data = _content(3, 100)
    lie = hashlib.sha256(b"something else").hexdigest()
    client.begin_upload(lie, len(data))
    with pytest.raises(InvalidArgumentError, match="must have 100 bytes"):
        client.put_blob_part(lie, 0, data[:10])
    client.put_blob_part(lie, 0, data)
    with pytest.raises(InvalidArgumentError, match="discarded"):
        client.save_artifact(run, "lie", lie)
    with pytest.raises(NotFoundError, match="not complete"):
        client.get_blob_part(lie, 0)
    with pytest.raises(NotFoundError, match="no run"):
        client.save_artifact(uuid.uuid4(), "x", lie)
    assert client.artifacts(run) == []


def test_over_the_limit_is_refused_and_nothing_is_stored(fresh_location: str) -> None:
    with ServerProcess(fresh_location, extra_args=["--max-artifact-mb", "1"]) as server, \
            Client(server.uri) as client:
        run = client.create_run().handle
        data = _content(4, BLOB_PART_BYTES + 1)
        with pytest.raises(ResourceExhaustedError, match="--max-artifact-mb"):
            upload_artifact(client, run, "big", io.BytesIO(data))
        assert client.artifacts(run) == []
        sha = hashlib.sha256(data).hexdigest()
        with pytest.raises(NotFoundError, match="begin its upload"):
            client.put_blob_part(sha, 0, data[:BLOB_PART_BYTES])
        small = upload_artifact(client, run, "small", io.BytesIO(data[:BLOB_PART_BYTES]))
        assert client.artifacts(run) == [small]


def test_a_server_killed_mid_upload_keeps_its_parts(fresh_location: str) -> None:
    data = _content(5, 3 * BLOB_PART_BYTES + 5)
    sha, size = file_digest(io.BytesIO(data))
    server = ServerProcess(fresh_location).start()
    try:
        with Client(server.uri) as client:
            run = client.create_run().handle
            client.begin_upload(sha, size)
            client.put_blob_part(sha, 0, data[:BLOB_PART_BYTES])
            client.put_blob_part(sha, 1, data[BLOB_PART_BYTES:2 * BLOB_PART_BYTES])
        server.kill()
        server.start()
        with Client(server.uri) as client:
            assert client.begin_upload(sha, size).have_parts == (0, 1)
            upload_artifact(client, run, "resumed", io.BytesIO(data))
            out = io.BytesIO()
            download_blob(client, sha, out)
            assert out.getvalue() == data
    finally:
        server.stop()
