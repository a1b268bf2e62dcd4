"""Media references in chunks, on both stores: checked against the blob storage, and
the blobs they name kept while a run references them (store/media_refs.py)."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pytest

from streamvis.model.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
)
from streamvis.model.media import FieldOptions, MediaRef
from streamvis.model.schema import FieldType, RunFilter
from streamvis.store import Store

from .helpers import raw_session

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200)) + b"IEND\xaeB`\x82"


def _upload(store: Store, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    store.begin_blob(sha, len(data))
    store.put_blob_part(sha, 0, data)
    store.finish_blob(sha)
    return sha


def _ref(data: bytes, media_type: str = "image/png", size: int | None = None) -> str:
    sha = hashlib.sha256(data).hexdigest()
    return MediaRef(sha, media_type, len(data) if size is None else size, 4, 3).text()


@pytest.fixture
def media_store(store: Store) -> Store:
    store.create_field("step", FieldType("int"))
    store.create_field("img", FieldType("image"))
    store.create_series("pics", ["step", "img"])
    return store


def _append(store: Store, run: object, refs: list[str]) -> None:
    store.append(run, "pics", {  # type: ignore[arg-type]
        "step": pa.array(range(len(refs)), pa.int64()), "img": pa.array(refs, pa.string()),
    })


def test_references_to_whole_blobs_are_stored_and_read_back(media_store: Store) -> None:
    _upload(media_store, PNG)
    run = media_store.create_run()
    _append(media_store, run.handle, [_ref(PNG), _ref(PNG)])
    [chunk] = media_store.query(RunFilter(handles=(run.handle,)), "pics")
    assert chunk.batch.column("img").to_pylist() == [_ref(PNG)] * 2
    assert media_store.blob_status(hashlib.sha256(PNG).hexdigest()).complete


@pytest.mark.parametrize(("refs", "error", "message"), [
    (["not json"], InvalidArgumentError, "no media reference"),
    ([json.dumps({"sha256": "x" * 64, "media_type": "image/png", "bytes": 1})],
     InvalidArgumentError, "not a sha256"),
    ([_ref(PNG, "audio/wav")], InvalidArgumentError, "send image media"),
    ([_ref(PNG, size=3)], InvalidArgumentError, "has 3 bytes"),
    ([_ref(b"never uploaded")], FailedPreconditionError, "not stored whole"),
])
def test_bad_references_are_refused_and_change_nothing(
    media_store: Store, refs: list[str], error: type[Exception], message: str
) -> None:
    _upload(media_store, PNG)
    run = media_store.create_run()
    with pytest.raises(error, match=message):
        _append(media_store, run.handle, refs)
    assert media_store.last_sequence() == 0


def test_a_referenced_blob_outlives_an_artifact_and_goes_with_the_last_run(
    media_store: Store,
) -> None:
    sha = _upload(media_store, PNG)
    a, b = media_store.create_run(), media_store.create_run()
    media_store.save_artifact(a.handle, "same-bytes", sha)
    _append(media_store, b.handle, [_ref(PNG)])
    media_store.delete_run(a.handle)  # the artifact goes; run b's rows still reference it
    assert media_store.blob_status(sha).complete
    assert media_store.collect_blobs(older_than_s=-1) == 0
    media_store.delete_run(b.handle)
    assert media_store.collect_blobs(older_than_s=-1) == 0  # gone with the run already
    with pytest.raises(Exception, match="no blob"):
        media_store.blob_status(sha)


def test_field_options_are_kept_checked_and_immutable(store: Store) -> None:
    f = store.create_field("notes", FieldType("string"), options={"format": "markdown"})
    assert f.options == FieldOptions(format="markdown")
    assert store.create_field("plain", FieldType("string")).options.format == "plain"
    assert store.create_field("pic", FieldType("image"), options={"encoding": "webp"}).options == \
        FieldOptions(encoding="webp", quality=90)
    assert {x.name: x.options for x in store.list_fields()}["notes"].format == "markdown"
    with pytest.raises(AlreadyExistsError, match="options never change"):
        store.create_field("notes", FieldType("string"), options={"format": "html"})
    cases: list[tuple[str, dict[str, object], str]] = [
        ("string", {"format": "rtf"}, "unknown string format"),
        ("int", {"format": "markdown"}, "takes no option 'format'"),
        ("image", {"encoding": "gif"}, "unknown image encoding"),
        ("image", {"quality": 50}, "lossy encodings"),
        ("image", {"encoding": "jpeg", "quality": 101}, "1 to 100"),
        ("audio", {"fps": 3}, "takes no option 'fps'"),
        ("video", {"colour": 1}, "unknown field option"),
    ]
    for ftype, options, message in cases:
        with pytest.raises(InvalidArgumentError, match=message):
            store.create_field(f"x_{ftype}", FieldType(ftype), options=options)
    renamed = store.update_field("notes", new_name="notes2")
    assert renamed.options.format == "markdown"


def test_a_field_made_before_options_reads_with_the_defaults(
    store: Store, location: str
) -> None:
    store.create_field("old", FieldType("string"))
    with raw_session(location) as s:
        s.begin(write=True)
        s.run("UPDATE fields SET options = '' WHERE name = 'old'")
        s.commit()
    assert {f.name: f for f in store.list_fields()}["old"].options.format == "plain"
    with pytest.raises(AlreadyExistsError, match="same type"):
        store.create_field("old", FieldType("string"))  # agrees: "use it as it is"
