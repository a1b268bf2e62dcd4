"""docs/images/workspace.png: the workspace of a small demo sweep.

Starts a server on a scratch store, logs a sweep exactly as `streamvis demo --runs N` does
(streamvis.cli.demo), opens `/workspace` in headless Chromium once the panels in view have
drawn, and saves the screenshot:

    .venv/bin/python benchmarks/browser/screenshot_workspace.py [--out docs/images/workspace.png]

Needs a built UI (`cd frontend && npm run build`), playwright and Debian's chromium.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scratch_site import DRAWN_JS, ROOT, chromium_page, log_demo, scratch_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "workspace.png")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=820)
    args = parser.parse_args()

    with scratch_server("streamvis-shot-") as server:
        log_demo(server, args.runs, args.steps)
        with chromium_page(args.width, args.height) as page:
            page.goto(f"{server.web_url}workspace")
            page.wait_for_function(DRAWN_JS, timeout=60_000)
            page.wait_for_timeout(500)  # let the last frame reach the compositor
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
