"""`GET /api/runs` in pages (limit, after, Link, X-Total-Count) and streamed whole, on
each store, through a real server."""

from __future__ import annotations

import math
import re

import httpx
import pytest

from streamvis.model.limits import MAX_RUNS_PER_PAGE
from streamvis.model.schema import NewRun
from streamvis.store import Store

from .helpers import error, filter_param

RUNS = MAX_RUNS_PER_PAGE + 37  # the whole listing spans two store pages


@pytest.fixture
def many(store: Store, schema) -> list[str]:  # noqa: ARG001 - the runs need its fields
    new = [
        NewRun(tags=["even" if i % 2 == 0 else "odd"],
               attributes={"lr": math.nan if i == 3 else i / 10},
               started_at=1000.0 + i // 2)  # ties on started_at
        for i in range(RUNS)
    ]
    made = store.create_runs(new[:RUNS // 2]) + store.create_runs(new[RUNS // 2:])
    return [str(r.handle) for r in sorted(made, key=lambda r: r.started_at, reverse=True)]


def next_link(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    match = re.fullmatch(r'<(\?[^>]*)>; rel="next"', link)
    assert match, link
    return "/api/runs" + match.group(1)


def test_pages_follow_their_links_to_every_match(http: httpx.Client, many: list[str]):
    odd = filter_param({"tags_any": ["odd"]})
    whole = http.get("/api/runs", params=odd)
    assert "x-total-count" not in whole.headers  # the whole listing is its own count
    handles = [r["handle"] for r in whole.json()]
    assert len(handles) == RUNS // 2
    first = http.get("/api/runs", params={**odd, "limit": "1000"})
    assert first.headers["x-total-count"] == str(RUNS // 2)
    seen = [r["handle"] for r in first.json()]
    url = next_link(first)
    while url is not None:
        page = http.get(url)
        assert page.status_code == 200 and "x-total-count" not in page.headers
        assert 0 < len(page.json()) <= 1000
        seen += [r["handle"] for r in page.json()]
        url = next_link(page)
    assert seen == handles
    assert set(handles) < set(many)


def test_the_whole_listing_streams_every_run_in_order(http: httpx.Client, many: list[str]):
    listed = http.get("/api/runs").json()
    assert len(listed) == RUNS
    got = [r["started_at"] for r in listed]
    assert got == sorted(got, reverse=True)
    assert {r["handle"] for r in listed} == set(many)
    assert any(r["attributes"]["lr"] is None for r in listed)  # NaN travels as null
    capped = http.get("/api/runs", params={"limit": str(MAX_RUNS_PER_PAGE + 5)}).json()
    assert capped == listed[:MAX_RUNS_PER_PAGE + 5]


@pytest.mark.usefixtures("schema")
def test_bad_page_requests_are_400(http: httpx.Client):
    assert "page token" in error(http.get("/api/runs", params={"after": "x"}), 400)
    assert "limit" in error(http.get("/api/runs", params={"limit": "ten"}), 400)
    assert http.get("/api/runs").json() == []
    empty = http.get("/api/runs", params={"limit": "5"})
    assert empty.json() == [] and empty.headers["x-total-count"] == "0"
    assert "link" not in empty.headers
