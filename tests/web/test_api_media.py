"""`POST /api/media`: rows as JSON with media cells, paged by chunks; bad requests get a
400/404 with a message and never a 500."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pyarrow as pa
import pytest

from streamvis.model.media import MediaRef
from streamvis.model.schema import FieldType
from streamvis.store import Store

from .helpers import error

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(100)) + b"IEND\xaeB`\x82"


@pytest.fixture
def pics(store: Store) -> tuple[uuid.UUID, str]:
    sha = hashlib.sha256(PNG).hexdigest()
    store.begin_blob(sha, len(PNG))
    store.put_blob_part(sha, 0, PNG)
    store.finish_blob(sha)
    store.create_field("step", FieldType("int"))
    store.create_field("img", FieldType("image"))
    store.create_field("note", FieldType("string"), options={"format": "markdown"})
    store.create_series("pics", ["step", "img", "note"])
    run = store.create_run().handle
    ref = MediaRef(sha, "image/png", len(PNG), 7, 5).text()
    for first in (0, 2):
        store.append(run, "pics", {
            "step": pa.array([first, first + 1], pa.int64()),
            "img": pa.array([ref, ref]), "note": pa.array(["*a*", "*b*"]),
        })
    return run, sha


def test_rows_come_with_media_cells_in_whole_chunks(
    http: httpx.Client, pics: tuple[uuid.UUID, str]
) -> None:
    run, sha = pics
    body = http.post("/api/media", json={"series": "pics", "limit": 3}).json()
    assert body["truncated"] is True
    assert [r["step"] for r in body["rows"]] == [0, 1]  # the next chunk would pass 3
    first = body["rows"][0]
    assert first["run"] == str(run)
    assert first["note"] == "*a*"
    assert first["img"] == {"sha256": sha, "url": f"api/blobs/{sha}?type=image%2Fpng",
                            "media_type": "image/png", "width": 7, "height": 5,
                            "duration": 0.0, "bytes": len(PNG)}
    rest = http.post("/api/media", json={"series": "pics", "fields": ["step"],
                                         "after_sequence": body["last_sequence"]}).json()
    assert rest["rows"] == [{"run": str(run), "sequence": rest["last_sequence"], "step": 2},
                            {"run": str(run), "sequence": rest["last_sequence"], "step": 3}]
    assert rest["truncated"] is False
    blob = http.get("/" + first["img"]["url"])
    assert blob.content == PNG
    assert blob.headers["content-security-policy"] == "sandbox"


@pytest.mark.parametrize(("body", "status", "message"), [
    ({}, 400, '"series"'),
    ({"series": "pics", "colour": 1}, 400, "unknown key"),
    ({"series": "nope"}, 404, "no series named 'nope'"),
    ({"series": "pics", "fields": ["x"]}, 404, "has no field 'x'"),
    ({"series": "pics", "limit": -1}, 400, "non-negative integer"),
    ({"series": "pics", "after_sequence": "7"}, 400, "non-negative integer"),
    ({"series": "pics", "filter": {"handles": ["zz"]}}, 400, "zz"),
    ([1, 2], 400, "JSON object"),
])
def test_bad_requests_are_refused_with_a_message(
    http: httpx.Client, pics: tuple[uuid.UUID, str],  # noqa: ARG001 -- the series exists
    body: object, status: int, message: str,
) -> None:
    assert message in error(http.post("/api/media", json=body), status)
