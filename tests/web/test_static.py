"""The built UI: files, index.html for client-side routes, cache headers, not-built page."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from streamvis.store import Store
from streamvis.web import create_app


def get(app, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ui") as client:
            return await client.get(path)

    return asyncio.run(go())


@pytest.fixture
def built(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>streamvis</title>")
    (static / "assets" / "app-1a2b3c.js").write_text("console.log(1)")
    (static / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("no")
    return static


def test_index_assets_and_client_routes(sqlite_store: Store, built: Path):
    app = create_app(sqlite_store, static_dir=built)
    root = get(app, "/")
    assert root.status_code == 200 and "<title>streamvis</title>" in root.text
    assert root.headers["cache-control"] == "no-cache"
    asset = get(app, "/assets/app-1a2b3c.js")
    assert asset.text == "console.log(1)"
    assert "immutable" in asset.headers["cache-control"]
    assert get(app, "/favicon.svg").headers["cache-control"] == "no-cache"
    # A client-side route gets the app, which routes itself.
    route = get(app, "/dashboard?rows=A,B")
    assert route.status_code == 200 and "<title>streamvis</title>" in route.text
    # Nothing outside the static directory is reachable.
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"):
        assert get(app, path).text != "no"
    # API paths never fall back to the UI.
    missing = get(app, "/api/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"


def test_without_a_built_ui_the_page_says_how_to_build_it(sqlite_store: Store, tmp_path: Path):
    app = create_app(sqlite_store, static_dir=tmp_path / "missing")
    page = get(app, "/")
    assert page.status_code == 200
    assert "was not built" in page.text and "Node.js" in page.text and "pip install" in page.text
    assert "was not built" in get(app, "/runs").text
