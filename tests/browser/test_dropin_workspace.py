"""A PyTorch script written for `torch.utils.tensorboard` (examples/train_tensorboard.py),
run with only its import line swapped for the drop-in, shows up in the browser: its
scalars and its histogram's values as workspace panels (checked in the pixels and in the
points each panel loaded), its markdown text in a text plot of a dashboard.

The image series is a media panel of the workspace (its pixels checked through the data
API); a text series gets no workspace panel yet, so the text is checked through a saved
text plot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

import streamvis
from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "train_tensorboard.py"
TB_IMPORT = "from torch.utils.tensorboard import SummaryWriter"
DROPIN_IMPORT = "from streamvis.tensorboard import SummaryWriter"
STEPS = 50
#: The workspace's panels: series/field of each number the script logged.
PANELS = {"train/loss/loss", "train/lr/lr", "weights/first/first"}
#: And the media panel of the image the script logged.
MEDIA_PANELS = {"inputs/board/board"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("dropin-ws")
    source = EXAMPLE.read_text()
    swapped = source.replace(TB_IMPORT, DROPIN_IMPORT)
    # One line differs, and nothing else: the script runs unchanged but for its import.
    changed = [(a, b) for a, b in zip(source.splitlines(), swapped.splitlines(), strict=True)
               if a != b]
    assert changed == [(TB_IMPORT, DROPIN_IMPORT)]
    script = tmp / "train.py"
    script.write_text(swapped)
    with ServerProcess(str(tmp / "data")) as proc:
        env = {**os.environ, "STREAMVIS_URI": proc.uri, "STREAMVIS_CAPTURE": "0",
               "XDG_CACHE_HOME": str(tmp / "cache")}
        done = subprocess.run([sys.executable, str(script), "runs/tiny", str(STEPS)], env=env,
                              capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.startswith("final loss")
        yield proc


def _colored_pixels(page: Page) -> dict[str, int]:
    """Per panel: how many pixels of its data area are colored (a line, not white or grey)."""
    pixels = png_pixels(page.screenshot()).astype(np.int32)
    out: dict[str, int] = {}
    for el in page.query_selector_all("[data-panel]"):
        key = el.get_attribute("data-panel")
        if key in MEDIA_PANELS:
            continue
        area = el.query_selector(".plot .area")
        box = area.bounding_box() if area else None
        assert key is not None and box is not None, "a panel with no plot area"
        crop = pixels[round(box["y"]):round(box["y"] + box["height"]),
                      round(box["x"]):round(box["x"] + box["width"]), :3]
        # A thin line's pixels are its color blended with white: still clearly not grey.
        out[key] = int((crop.max(axis=2) - crop.min(axis=2) > 25).sum())
    return out


def test_the_scripts_numbers_are_workspace_panels(server: ServerProcess, page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 1300})  # the three panels in view
    page.goto(f"{server.web_url}workspace")
    everything = PANELS | MEDIA_PANELS
    wait_until(page, f"document.querySelectorAll('[data-panel]').length === {len(everything)}")
    keys = {el.get_attribute("data-panel") for el in page.query_selector_all("[data-panel]")}
    assert keys == everything  # no panel for the text series (module doc)
    wait_until(page, "(() => { const p = window.__streamvis.plots();"
                     f" return p.length === {len(PANELS)} && p.every((x) => x.firstFullRenderAt"
                     " !== null && x.datasets.every((d) => d.loaded && d.points > 0)); })()",
               timeout=30)
    page.wait_for_timeout(400)
    drawn = _colored_pixels(page)
    for key, count in drawn.items():
        assert count > 30, f"{key}: the run's line drawn, got {drawn}"
    points = {p["name"]: sum(d["points"] for d in p["datasets"])
              for p in page.evaluate("window.__streamvis.plots()")}
    loss = next(v for k, v in points.items() if "train/loss" in k)
    weights = next(v for k, v in points.items() if "weights/first" in k)
    assert loss == STEPS, points
    assert 0 < weights <= 5 * 16 * 8, points  # 5 histograms of the 16x8 weight's values


def test_the_text_and_the_image_arrive(server: ServerProcess, page: Page) -> None:
    with streamvis.connect(server.uri) as sv:
        (run,) = sv.runs(tags_any="tiny")
        (ref,) = sv.fetch("inputs/board", runs=[run]).column("board").to_pylist()
        image = sv.media(ref, as_="numpy")
    board = (np.arange(8)[:, None] + np.arange(8)[None, :]) % 2
    assert image.shape == (8, 8, 3)
    assert np.array_equal(image[:, :, 0], board * 255) and not image[:, :, 1].any()
    with Client(server.uri) as c:
        c.save_plot("tiny-notes", {"kind": "text", "datasets": [
            {"series": "notes", "bindings": {"text": "notes"}}]})
    page.goto(f"{server.web_url}?rows=tiny-notes")
    page.wait_for_selector(".markdown strong")
    bold = page.inner_text(".markdown strong")
    assert bold.startswith("0.") and len(bold) == 6  # final loss **0.xxxx**, as markdown
    assert str(run.handle)[:8] in page.inner_text(".text-plot section header")


def test_dashboard_url_scopes_names_and_xylog(server: ServerProcess, page: Page) -> None:
    # The (scope, name, index) era's URL: per cell, runs by tag or handle (scopes=), series
    # by name (names=), and axes=xylog for log-log.
    with Client(server.uri) as c:
        c.save_plot("tiny-loss", {"kind": "line", "datasets": [{
            "series": "train/loss", "bindings": {"x": "step", "y": "loss", "color": "run"}}]})
        c.save_plot("tiny-lr", {"kind": "line", "datasets": [{
            "series": "train/lr", "bindings": {"x": "step", "y": "lr", "color": "run"}}]})
    page.goto(f"{server.web_url}?rows=tiny-loss,tiny-loss;tiny-lr"
              "&scopes=^tiny$,nomatch,&names=,,lr$&axes=xylog")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 3"
                     " && p.every((x) => x.datasets.every((d) => d.loaded)); })()", timeout=30)
    plots = page.evaluate("window.__streamvis.plots()")
    runs = [sorted({r for d in p["datasets"] for r in d["runs"]}) for p in plots]
    assert [len(r) for r in runs] == [1, 0, 1], plots  # the tag matched; nothing matched
    assert page.get_attribute("[data-plot='tiny-loss']", "data-axes") == "loglog"
    assert sum(d["points"] for d in plots[0]["datasets"]) == STEPS
    bad = "?rows=tiny-loss&scopes=("
    page.goto(server.web_url + bad)
    page.wait_for_selector("text=is not a regular expression")
