"""docs/images/dashboard.png: a dashboard of line and scatter plots on realistic data.

Starts a server on a scratch store, logs a small sweep with DataLoggers exactly as
`streamvis demo --runs N` does (streamvis.cli.demo: noisy loss curves with rare spikes, a
family of sine waves grouped and colored by `wave`, a point cloud colored by `angle`),
saves the demo's plots (the loss of every run; the waves and the cloud of the first, as
a one-run demo shows them: with every run they are a tangle), opens the demo's dashboard
in headless Chromium once every plot has drawn, and saves the screenshot:

    .venv/bin/python benchmarks/browser/screenshot_dashboard.py [--out docs/images/dashboard.png]

Needs a built UI (`cd frontend && npm run build`), playwright and Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from streamvis import DataLogger, declare_schema
from streamvis.cli.demo import DASHBOARD, FIELDS, SERIES, DemoRun, log_sync, new_loggers, plot_specs
from streamvis.client import Client
from streamvis.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-gpu",
]
DRAWN_JS = """(n) => {
  const p = window.__streamvis && window.__streamvis.plots();
  return !!p && p.length === n && p.every((x) => x.firstFullRenderAt !== null
    && x.datasets.every((d) => d.loaded && d.points > 0));
}"""


def screenshot_specs(handles: list[Any]) -> list[dict[str, Any]]:
    """The demo's plots: loss for every run, waves and cloud for the first."""
    specs = plot_specs(handles)
    for spec in specs:
        if spec["name"] != "demo-loss":
            for ds in spec["datasets"]:
                ds["filter"] = {"handles": [str(handles[0])]}
    return specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "dashboard.png")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=820)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="streamvis-shot-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # the loggers' spool
        with ServerProcess(str(Path(tmp) / "data")) as server:
            declare_schema(FIELDS, SERIES, uri=server.uri)
            runs = [DemoRun(i, sweep=args.runs > 1) for i in range(args.runs)]
            loggers = new_loggers(DataLogger, server.uri, runs)
            with Client(server.uri) as c:
                specs = screenshot_specs([lg.run_handle for lg in loggers])
                for spec in specs:
                    c.save_plot(spec["name"], spec)
            log_sync(loggers, runs, args.steps, 0.0)

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(f"{server.web_url}{DASHBOARD}")
                page.wait_for_function(DRAWN_JS, arg=len(specs), timeout=60_000)
                page.wait_for_timeout(500)  # let the last frame reach the compositor
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
