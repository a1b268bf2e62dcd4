"""What the browser benchmarks and screenshots share: a server on a scratch store, the
demo's sweep logged into it, headless Chromium on software GL, and the test for "every
plot on the page has drawn what it fetched".

    with scratch_server("streamvis-shot-") as server:
        log_demo(server, runs=4, steps=400)
        with chromium_page(1400, 820) as page:
            page.goto(f"{server.web_url}workspace")
            page.wait_for_function(DRAWN_JS, timeout=60_000)

Run the scripts from the repository root (`.venv/bin/python benchmarks/browser/X.py`):
Python puts the script's folder first on the path, so they import this module by name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from streamvis import DataLogger, declare_schema
from streamvis.cli.demo import FIELDS, SERIES, DemoRun, log_sync, new_loggers
from streamvis.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
#: Headless Chromium with WebGL on SwiftShader (software): a GPU browser draws faster.
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-gpu",
]
#: Every plot mounted on the page has drawn everything it fetched (the workspace mounts
#: only the panels near the view).
DRAWN_JS = """() => {
  const p = window.__streamvis && window.__streamvis.plots();
  const mounted = document.querySelectorAll('[data-drawn=yes]').length;
  return !!p && p.length > 0 && p.length === mounted && p.every((x) => x.firstFullRenderAt !== null
    && x.datasets.every((d) => d.loaded));
}"""


@contextmanager
def scratch_server(prefix: str) -> Iterator[ServerProcess]:
    """A server on a store in a temporary folder, the loggers' spool beside it; all
    removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        with ServerProcess(str(Path(tmp) / "data")) as server:
            yield server


def log_demo(server: ServerProcess, runs: int, steps: int,
             before: Callable[[list[Any]], None] | None = None) -> None:
    """A sweep logged exactly as `streamvis demo --runs N` does (streamvis.cli.demo);
    `before` gets the loggers once their runs exist, before any step is logged."""
    declare_schema(FIELDS, SERIES, uri=server.uri)
    demo_runs = [DemoRun(i, sweep=runs > 1) for i in range(runs)]
    loggers = new_loggers(DataLogger, server.uri, demo_runs)
    if before is not None:
        before(loggers)
    log_sync(loggers, demo_runs, steps, 0.0)


@contextmanager
def chromium_page(width: int, height: int) -> Iterator[Page]:
    """A page of headless Chromium (Debian's) at `width` x `height` CSS pixels."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()
