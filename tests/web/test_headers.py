"""Security headers on every HTTP response, and a UI that runs under its CSP (no inline
script in the built index.html; tests/browser/test_inert_strings.py loads it in Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from streamvis.testing import ServerProcess
from streamvis.web.middleware import CONTENT_SECURITY_POLICY, SECURITY_HEADERS

TOKEN = "headers-token-0123456789abcdef"  # noqa: S105 - a test token


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with ServerProcess(str(tmp_path_factory.mktemp("headers")),
                       extra_args=["--token", TOKEN]) as server, \
            httpx.Client(base_url=server.web_url, timeout=30) as client:
        yield client


def _assert_secured(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name)


def test_the_policy_allows_no_inline_or_foreign_script() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_every_kind_of_response_carries_the_headers(http: httpx.Client) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    index = http.get("/", headers=auth)
    asset = re.search(r'src="\./(assets/[^"]+\.js)"', index.text)
    assert asset, "the built UI has no script asset"
    responses = [
        index,
        http.get(f"/{asset[1]}", headers=auth),
        http.get("/api/runs", headers=auth),
        http.get("/api/info", headers=auth),
        http.get("/api/no-such-route", headers=auth),
        http.put("/api/plots/p", headers=auth, content=b"x" * (2 * 1024 * 1024)),
        http.get("/api/runs"),  # 401
        http.get("/runs"),  # 303 to the login page
        http.get("/login"),
        http.post("/login", data={"token": "wrong" * 4}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404, 413, 401, 303, 200,
                                                  401]
    for response in responses:
        _assert_secured(response)


def test_the_built_index_has_no_inline_script(http: httpx.Client) -> None:
    index = http.get("/", headers={"authorization": f"Bearer {TOKEN}"}).text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", index, flags=re.DOTALL)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), "inline script would be blocked"
    assert not re.search(r"\son[a-z]+\s*=", index), "inline event handlers would be blocked"
