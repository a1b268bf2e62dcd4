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
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from scratch_site import ROOT, chromium_page, log_demo, scratch_server

from streamvis.cli.demo import DASHBOARD, plot_specs
from streamvis.client import Client

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


def dashboard_plots() -> list[str]:
    """The plots the demo's dashboard lays out (fewer than the demo saves)."""
    rows = parse_qs(DASHBOARD.lstrip("?"))["rows"][0]
    return [name for row in rows.split(";") for name in row.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "dashboard.png")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=820)
    args = parser.parse_args()

    specs: list[dict[str, Any]] = []

    def save_plots(loggers: list[Any]) -> None:
        with Client(server.uri) as c:
            specs.extend(screenshot_specs([lg.run_handle for lg in loggers]))
            for spec in specs:
                c.save_plot(spec["name"], spec)

    with scratch_server("streamvis-shot-") as server:
        log_demo(server, args.runs, args.steps, before=save_plots)
        with chromium_page(args.width, args.height) as page:
            page.goto(f"{server.web_url}{DASHBOARD}")
            page.wait_for_function(DRAWN_JS, arg=len(dashboard_plots()), timeout=60_000)
            page.wait_for_timeout(500)  # let the last frame reach the compositor
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
