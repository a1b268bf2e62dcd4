"""docs/images/hparams.png: the compare page's hyperparameter views on a demo sweep.

Starts a server on a scratch store, logs a sweep exactly as `streamvis demo --runs N` does
(streamvis.cli.demo), opens `/compare` on its runs in headless Chromium once the parallel
coordinates and the scatter have drawn, and saves a screenshot of that section:

    .venv/bin/python benchmarks/browser/screenshot_hparams.py [--out docs/images/hparams.png]

Needs a built UI (`cd frontend && npm run build`), playwright and Debian's chromium.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scratch_site import ROOT, chromium_page, log_demo, scratch_server

from streamvis.client import Client

DRAWN_JS = """() => {
  const lines = document.querySelectorAll('[data-view=parallel] polyline.line').length;
  const p = window.__streamvis && window.__streamvis.plots();
  return lines > 0 && !!p && p.length === 1 && p[0].firstFullRenderAt !== null
    && p[0].datasets.every((d) => d.loaded);
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "hparams.png")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--width", type=int, default=1300)
    parser.add_argument("--height", type=int, default=1100)
    args = parser.parse_args()

    with scratch_server("streamvis-shot-") as server:
        log_demo(server, args.runs, args.steps)
        with Client(server.uri) as c:
            handles = [str(r.handle) for r in c.runs()]
        with chromium_page(args.width, args.height) as page:
            page.goto(f"{server.web_url}compare?runs={','.join(handles)}")
            page.wait_for_function(DRAWN_JS, timeout=60_000)
            page.wait_for_timeout(500)  # let the last frame reach the compositor
            section = page.query_selector("[data-testid=hparams]")
            assert section is not None
            args.out.parent.mkdir(parents=True, exist_ok=True)
            section.screenshot(path=str(args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
