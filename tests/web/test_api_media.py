"""`POST /api/media`: rows as JSON with media cells, paged by chunks; bad requests get a
400/404 with a message and never a 500."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pyarrow as pa
import pytest

from streamvis.model.limits import MAX_MEDIA_PANEL_ROWS
from streamvis.model.media import MediaRef
from streamvis.model.schema import FieldType
from streamvis.store import Store

from .helpers import error, meta, table

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


def test_a_media_plot_gets_the_rows_of_the_frame_shown(
    http: httpx.Client, pics: tuple[uuid.UUID, str], store: Store,
) -> None:
    """`/api/data` with kind "media": each run's latest step by default, or the step
    asked for; media cells arrive as their reference text."""
    run, sha = pics
    body = {"series": "pics", "kind": "media", "fields": ["step", "img"],
            "where": [{"field": "step", "latest": True}]}
    latest = table(http.post("/api/data", json=body))
    assert latest.column("step").to_pylist() == [3]
    ref = MediaRef.parse(latest.column("img").to_pylist()[0])
    assert (ref.sha256, ref.width, ref.height) == (sha, 7, 5)
    assert latest.column("run").to_pylist() == [str(run)]
    one = table(http.post("/api/data", json={**body, "where": [{"field": "step", "equals": 1}]}))
    assert one.column("step").to_pylist() == [1]
    # Past MAX_MEDIA_PANEL_ROWS rows of a run, the newest are sent and the rest counted.
    n = MAX_MEDIA_PANEL_ROWS + 10
    ref_text = MediaRef(sha, "image/png", len(PNG), 7, 5).text()
    store.append(run, "pics", {"step": pa.array([9] * n, pa.int64()),
                               "img": pa.array([ref_text] * n), "note": pa.array(["x"] * n)})
    many = table(http.post("/api/data", json=body))
    assert many.num_rows == MAX_MEDIA_PANEL_ROWS
    assert meta(many)["left_out"] == "10"


def test_a_media_plot_is_saved_with_its_overlay_and_refused_without_media(
    http: httpx.Client, pics: tuple[uuid.UUID, str],  # noqa: ARG001 -- the series exists
) -> None:
    spec = {"kind": "media", "datasets": [
        {"series": "pics", "bindings": {"media": "img", "frame": "step"}},
        {"series": "pics", "bindings": {"x0": "step", "y0": "step", "x1": "step",
                                        "y1": "step"}}]}
    assert http.put("/api/plots/m", json=spec).json()["kind"] == "media"
    bad = {"kind": "media", "datasets": [{"series": "pics", "bindings": {"frame": "step"}}]}
    assert "binds fields to media or x0, y0, x1, y1" in error(
        http.put("/api/plots/m2", json=bad), 400)
    wrong = {"kind": "media", "datasets": [{"series": "pics", "bindings": {"media": "step"}}]}
    assert "media takes audio or image or video fields; 'step' is int" in error(
        http.put("/api/plots/m3", json=wrong), 400)
