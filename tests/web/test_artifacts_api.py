"""Artifacts over HTTP: a run's list, and blobs streamed with ETag, caching and ranges."""

from __future__ import annotations

import hashlib

import httpx

from streamvis.model.limits import BLOB_PART_BYTES
from streamvis.store.base import Store

from .helpers import error

DATA = bytes(range(256)) * (BLOB_PART_BYTES // 256) * 2 + b"end"


def _blob(store: Store, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    status = store.begin_blob(sha, len(data))
    for i in status.missing_parts:
        store.put_blob_part(sha, i, data[i * BLOB_PART_BYTES:(i + 1) * BLOB_PART_BYTES])
    store.finish_blob(sha)
    return sha


def test_a_runs_artifacts_list_with_their_urls(store: Store, http: httpx.Client) -> None:
    run = store.create_run().handle
    sha = _blob(store, DATA)
    store.save_artifact(run, "model v1.pt", sha, step=4, media_type="application/x-torch")
    [listed] = http.get(f"/api/runs/{run}/artifacts").json()
    assert {k: listed[k] for k in ("name", "step", "size", "sha256", "media_type")} == {
        "name": "model v1.pt", "step": 4, "size": len(DATA), "sha256": sha,
        "media_type": "application/x-torch",
    }
    assert listed["url"] == f"api/blobs/{sha}?name=model%20v1.pt&type=application%2Fx-torch"
    reply = http.get("/" + listed["url"])
    assert reply.status_code == 200
    assert reply.content == DATA
    assert reply.headers["content-type"] == "application/x-torch"
    assert "filename*=UTF-8''model%20v1.pt" in reply.headers["content-disposition"]
    assert "no run" in error(http.get(f"/api/runs/{'0' * 8}-0000-0000-0000-{'0' * 12}"
                                      "/artifacts"), 404)


def test_blobs_are_immutable_and_served_by_range(store: Store, http: httpx.Client) -> None:
    sha = _blob(store, DATA)
    whole = http.get(f"/api/blobs/{sha}")
    assert whole.headers["etag"] == f'"{sha}"'
    assert "immutable" in whole.headers["cache-control"]
    assert whole.headers["accept-ranges"] == "bytes"
    assert int(whole.headers["content-length"]) == len(DATA)
    assert http.get(f"/api/blobs/{sha}", headers={"If-None-Match": f'"{sha}"'}).status_code == 304
    start, end = BLOB_PART_BYTES - 5, BLOB_PART_BYTES + 10  # across a part boundary
    part = http.get(f"/api/blobs/{sha}", headers={"Range": f"bytes={start}-{end}"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert part.content == DATA[start:end + 1]
    tail = http.get(f"/api/blobs/{sha}", headers={"Range": "bytes=-3"})
    assert (tail.status_code, tail.content) == (206, b"end")
    rest = http.get(f"/api/blobs/{sha}", headers={"Range": f"bytes={len(DATA) - 2}-"})
    assert rest.content == b"nd"
    past = http.get(f"/api/blobs/{sha}", headers={"Range": f"bytes={len(DATA)}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(DATA)}"


def test_unknown_malformed_and_unfinished_blobs(store: Store, http: httpx.Client) -> None:
    assert "not a sha256" in error(http.get("/api/blobs/xyz"), 400)
    assert "no blob" in error(http.get(f"/api/blobs/{'a' * 64}"), 404)
    half = hashlib.sha256(b"half").hexdigest()
    store.begin_blob(half, 4)
    assert "not complete" in error(http.get(f"/api/blobs/{half}"), 404)


def test_controls_are_listed_and_set(store: Store, http: httpx.Client) -> None:
    from streamvis.model.controls import check_spec  # noqa: PLC0415

    run = store.create_run().handle
    store.declare_controls(run, [check_spec("lr", "slider", 0.1, min=0, max=1),
                                 check_spec("save", "button")])
    listed = http.get(f"/api/runs/{run}/controls").json()
    assert [(c["name"], c["kind"], c["value"], c["version"]) for c in listed] == [
        ("lr", "slider", 0.1, 0), ("save", "button", 0, 0),
    ]
    assert listed[0]["min"] == 0 and listed[0]["max"] == 1
    assert http.put(f"/api/runs/{run}/controls/lr", json={"value": 0.5}).json()["value"] == 0.5
    pressed = http.put(f"/api/runs/{run}/controls/save", json={}).json()
    assert (pressed["value"], pressed["version"]) == (1, 1)
    assert "takes values in" in error(
        http.put(f"/api/runs/{run}/controls/lr", json={"value": 2}), 400)
    assert "no control 'nope'" in error(
        http.put(f"/api/runs/{run}/controls/nope", json={"value": 1}), 404)
    assert "must be" in error(http.put(f"/api/runs/{run}/controls/lr", json=[1]), 400)
    assert [c["value"] for c in http.get(f"/api/runs/{run}/controls").json()] == [0.5, 1]
