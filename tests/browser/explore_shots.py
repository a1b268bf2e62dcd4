"""The screenshot loop of the explore_* scripts that make docs/images/: a fresh server in a
temporary directory, seeded, and one screenshot per saved plot opened from its dashboard
URL once all its datasets are loaded and drawn."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from playwright.sync_api import sync_playwright

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .conftest import CHROMIUM_ARGS
from .explore_fixtures import wait_until

#: Where the docs' images live.
OUT = Path(__file__).resolve().parents[2] / "docs" / "images"


def screenshot_plots(seed: Callable[[Client], None], shots: Sequence[tuple[str, str]], *,
                     height: int, settle_ms: int = 700, width: int = 900) -> None:
    """Seeds a new server with `seed`, then saves each (plot name, image file) of `shots`
    as OUT/image: the page at `width` x `height`, `settle_ms` after the plot's first full
    render (the frames after it)."""
    with (tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw,
          ServerProcess(str(Path(tmp) / "data")) as srv, Client(srv.uri) as c):
        seed(c)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        for name, image in shots:
            page.goto(f"{srv.web_url}?rows={name}")
            wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length"
                             " === 1 && p[0].firstFullRenderAt !== null"
                             " && p[0].datasets.every((d) => d.loaded); })()")
            page.wait_for_timeout(settle_ms)
            page.screenshot(path=str(OUT / image))
        browser.close()
