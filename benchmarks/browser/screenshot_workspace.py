"""docs/images/workspace.png: the workspace of a small demo sweep.

Starts a server on a scratch store, logs a sweep exactly as `streamvis demo --runs N` does
(streamvis.cli.demo), opens `/workspace` in headless Chromium once the panels in view have
drawn, and saves the screenshot:

    .venv/bin/python benchmarks/browser/screenshot_workspace.py [--out docs/images/workspace.png]

Needs a built UI (`cd frontend && npm run build`), playwright and Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from streamvis import DataLogger, declare_schema
from streamvis.cli.demo import FIELDS, SERIES, DemoRun, log_sync, new_loggers
from streamvis.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-gpu",
]
DRAWN_JS = """() => {
  const p = window.__streamvis && window.__streamvis.plots();
  const mounted = document.querySelectorAll('[data-drawn=yes]').length;
  return !!p && p.length > 0 && p.length === mounted && p.every((x) => x.firstFullRenderAt !== null
    && x.datasets.every((d) => d.loaded));
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "workspace.png")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=820)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="streamvis-shot-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # the loggers' spool
        with ServerProcess(str(Path(tmp) / "data")) as server:
            declare_schema(FIELDS, SERIES, uri=server.uri)
            runs = [DemoRun(i, sweep=args.runs > 1) for i in range(args.runs)]
            loggers = new_loggers(DataLogger, server.uri, runs)
            log_sync(loggers, runs, args.steps, 0.0)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(f"{server.web_url}workspace")
                page.wait_for_function(DRAWN_JS, timeout=60_000)
                page.wait_for_timeout(500)  # let the last frame reach the compositor
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
