"""Blob storage and artifacts: parts, resume, dedup, hash check, references, collection."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from streamvis.model.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
)
from streamvis.model.limits import BLOB_PART_BYTES
from streamvis.store import Store

from .helpers import raw_session


def _content(n: int, seed: int = 0) -> bytes:
    return bytes((i * 7 + seed) % 251 for i in range(n))


def _parts(data: bytes) -> list[bytes]:
    return [data[i:i + BLOB_PART_BYTES] for i in range(0, len(data), BLOB_PART_BYTES)] or [b""]


def _upload(store: Store, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    status = store.begin_blob(sha, len(data))
    for i in status.missing_parts:
        store.put_blob_part(sha, i, _parts(data)[i])
    store.finish_blob(sha)
    return sha


def _stored_blobs(location: str) -> set[str]:
    with raw_session(location) as s:
        return {str(r[0]) for r in s.all("SELECT sha256 FROM blobs")}


def test_a_blob_round_trips_in_parts(store: Store) -> None:
    data = _content(2 * BLOB_PART_BYTES + 123)
    sha = _upload(store, data)
    assert store.blob_status(sha).complete
    assert b"".join(store.iter_blob(sha)) == data
    assert store.read_blob_part(sha, 2) == data[2 * BLOB_PART_BYTES:]
    # A range across a part boundary.
    start, end = BLOB_PART_BYTES - 10, BLOB_PART_BYTES + 20
    assert b"".join(store.iter_blob(sha, start, end)) == data[start:end]
    assert b"".join(store.iter_blob(sha, len(data), None)) == b""


def test_an_empty_blob_has_one_empty_part(store: Store) -> None:
    sha = _upload(store, b"")
    assert b"".join(store.iter_blob(sha)) == b""


def test_an_upload_resumes_from_the_parts_stored(store: Store) -> None:
    data = _content(3 * BLOB_PART_BYTES)
    sha = hashlib.sha256(data).hexdigest()
    parts = _parts(data)
    assert store.begin_blob(sha, len(data)).missing_parts == [0, 1, 2]
    store.put_blob_part(sha, 1, parts[1])
    again = store.begin_blob(sha, len(data))
    assert (again.complete, again.have_parts, again.missing_parts) == (False, (1,), [0, 2])
    with pytest.raises(FailedPreconditionError, match="lacks 2 of its 3 parts"):
        store.finish_blob(sha)
    with pytest.raises(NotFoundError, match="not complete"):
        store.read_blob_part(sha, 1)
    for i in again.missing_parts:
        store.put_blob_part(sha, i, parts[i])
    assert store.finish_blob(sha).complete
    assert store.begin_blob(sha, len(data)).complete  # nothing more to send


def test_parts_of_the_wrong_length_or_index_are_refused(store: Store) -> None:
    data = _content(BLOB_PART_BYTES + 5)
    sha = hashlib.sha256(data).hexdigest()
    store.begin_blob(sha, len(data))
    with pytest.raises(InvalidArgumentError, match="must have 5 bytes"):
        store.put_blob_part(sha, 1, b"abc")
    with pytest.raises(InvalidArgumentError, match="out of range"):
        store.put_blob_part(sha, 2, b"")
    with pytest.raises(NotFoundError, match="begin its upload"):
        store.put_blob_part("0" * 64, 0, b"")
    with pytest.raises(InvalidArgumentError, match="not a sha256"):
        store.begin_blob("ABC", 3)
    assert store.blob_status(sha).have_parts == ()


def test_content_that_does_not_hash_to_its_key_is_discarded(store: Store) -> None:
    data = _content(100)
    wrong = hashlib.sha256(b"other").hexdigest()
    store.begin_blob(wrong, len(data))
    store.put_blob_part(wrong, 0, data)
    with pytest.raises(InvalidArgumentError, match="discarded"):
        store.finish_blob(wrong)
    status = store.blob_status(wrong)
    assert (status.complete, status.have_parts) == (False, ())


def test_over_the_limit_is_refused_and_nothing_stored(store: Store, location: str) -> None:
    sha = hashlib.sha256(b"x").hexdigest()
    with pytest.raises(ResourceExhaustedError, match="--max-artifact-mb"):
        store.begin_blob(sha, 11, max_bytes=10)
    assert _stored_blobs(location) == set()


def test_artifacts_reference_blobs_once_per_content(store: Store, location: str) -> None:
    a, b = store.create_run().handle, store.create_run().handle
    data = _content(1000)
    sha = _upload(store, data)
    assert _upload(store, data) == sha  # the same content again: stored once
    store.save_artifact(a, "model", sha, step=1, media_type="application/x-torch")
    store.save_artifact(a, "model", sha, step=2)
    saved = store.save_artifact(b, "weights", sha)
    assert (saved.run, saved.name, saved.step, saved.size, saved.sha256, saved.media_type) == (
        b, "weights", None, 1000, sha, "application/octet-stream",
    )
    assert [(x.name, x.step, x.media_type) for x in store.list_artifacts(a)] == [
        ("model", 1, "application/x-torch"), ("model", 2, "application/octet-stream"),
    ]
    assert store.get_artifact(a, "model").step == 2  # no step given: the latest
    assert store.get_artifact(a, "model", 1).step == 1
    with pytest.raises(NotFoundError, match="no artifact 'model' at step 3"):
        store.get_artifact(a, "model", 3)
    store.delete_run(a)
    assert _stored_blobs(location) == {sha}  # b still references it
    store.delete_run(b)
    assert _stored_blobs(location) == set()
    with pytest.raises(NotFoundError):
        store.list_artifacts(a)


def test_saving_again_replaces_and_collects_the_old_blob(store: Store, location: str) -> None:
    run = store.create_run().handle
    first, second = _upload(store, b"first"), _upload(store, b"second")
    store.save_artifact(run, "obj", first)
    store.save_artifact(run, "obj", second)
    assert [x.sha256 for x in store.list_artifacts(run)] == [second]
    assert _stored_blobs(location) == {second}


def test_only_complete_blobs_can_be_saved(store: Store) -> None:
    run = store.create_run().handle
    sha = hashlib.sha256(b"abc").hexdigest()
    store.begin_blob(sha, 3)
    with pytest.raises(FailedPreconditionError, match="not stored whole"):
        store.save_artifact(run, "x", sha)
    with pytest.raises(NotFoundError, match="no run"):
        store.save_artifact(uuid.uuid4(), "x", _upload(store, b"abc"))
    with pytest.raises(InvalidArgumentError, match="step"):
        store.save_artifact(run, "x", sha, step=-1)
    with pytest.raises(InvalidArgumentError, match="media type"):
        store.save_artifact(run, "x", sha, media_type="nonsense")
    assert store.list_artifacts(run) == []


def test_collect_removes_abandoned_and_unreferenced_blobs(store: Store, location: str) -> None:
    run = store.create_run().handle
    kept = _upload(store, b"kept")
    store.save_artifact(run, "k", kept)
    _upload(store, b"orphan")
    store.begin_blob(hashlib.sha256(b"half").hexdigest(), 4)
    assert store.collect_blobs(older_than_s=3600) == 0  # all too young
    assert store.collect_blobs(older_than_s=-1) == 2
    assert _stored_blobs(location) == {kept}
