"""Screenshots of the run search, the builder and a hybrid plot for docs/images/.

Run: .venv/bin/python -m tests.browser.explore_screenshots (needs a built UI and Chromium).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

from streamvis.testing import ServerProcess

from .conftest import CHROMIUM_ARGS
from .explore_data import seed
from .explore_fixtures import wait_until

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"
BASELINE = quote(json.dumps({"tags_any": ["baseline"]}))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        seed(Path(tmp) / "data", runs=300)
        with ServerProcess(str(Path(tmp) / "data")) as srv:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 820})
            page.goto(srv.web_url + "runs?none=broken&in.model=vit&range.lr=0.0001..")
            page.wait_for_selector(".body .row")
            page.check(".body .row:nth-child(2) input")
            page.check(".body .row:nth-child(3) input")
            page.screenshot(path=str(OUT / "search.png"))

            page.goto(srv.web_url + f"build?filter={BASELINE}")
            page.select_option("select[aria-label='series of dataset 1']", "train")
            page.check("[data-dataset='0'] .picks label:has-text('lr') input")
            page.check("[data-dataset='0'] .picks label:has-text('optimizer') input")
            page.select_option("select[aria-label='bind x']", "step")
            page.select_option("select[aria-label='bind y']", "loss")
            page.select_option("select[aria-label='bind color']", "lr")
            page.select_option("select[aria-label='bind facet']", "optimizer")
            page.select_option("select[aria-label='bind group']", "lr")  # refused: float
            wait_until(page, "window.__streamvis.plots().length === 3 &&"
                                   " window.__streamvis.plots().every(p => p.datasets[0].loaded)")
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / "builder.png"))

            page.goto(srv.web_url + f"build?filter={BASELINE}")
            page.select_option("select[aria-label='series of dataset 1']", "train")
            page.select_option("select[aria-label='bind x']", "step")
            page.select_option("select[aria-label='bind y']", "loss")
            page.select_option("select[aria-label='bind group']", "run")
            page.click("button:has-text('Add a dataset')")
            page.select_option("select[aria-label='series of dataset 2']", "eval")
            page.wait_for_selector("[data-dataset='1'] .count")
            page.select_option("[data-dataset='1'] select[aria-label='bind x']", "step")
            page.select_option("[data-dataset='1'] select[aria-label='bind y']", "accuracy")
            wait_until(page, "(() => { const p = window.__streamvis.plots()[0];"
                                   " return p && p.hasY2 && p.datasets.every(d => d.loaded); })()")
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / "hybrid.png"))
            browser.close()


if __name__ == "__main__":
    main()
