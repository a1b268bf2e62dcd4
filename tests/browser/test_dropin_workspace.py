"""A PyTorch script written for `torch.utils.tensorboard` (examples/train_tensorboard.py),
run with only its import line swapped for the drop-in, shows up in the browser's
workspace: its scalars as line panels and its histogram's values as a distribution panel
(checked in the pixels and in the points each panel loaded), its image in a media panel
(checked in the screen's pixels and through the data API), its markdown text in a text
panel (the bold rendered as <strong>), and the text in a saved text plot of a dashboard.
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
#: And the media panel of the image the script logged, and the text panel of its text.
MEDIA_PANELS = {"inputs/board/board"}
TEXT_PANELS = {"notes/notes"}
#: The 8x8 checkerboard the script logs: red where (row + column) is odd, blue elsewhere.
BOARD = (np.arange(8)[:, None] + np.arange(8)[None, :]) % 2


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
        if key in MEDIA_PANELS | TEXT_PANELS:
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
    page.set_viewport_size({"width": 1280, "height": 1800})  # every panel in view
    page.goto(f"{server.web_url}workspace")
    everything = PANELS | MEDIA_PANELS | TEXT_PANELS
    wait_until(page, f"document.querySelectorAll('[data-panel]').length === {len(everything)}")
    keys = {el.get_attribute("data-panel") for el in page.query_selector_all("[data-panel]")}
    assert keys == everything
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
    # The histogram's values (128 rows per step) are percentile bands over the step.
    kinds = {p["name"]: (p["kind"], p["datasets"][0]["error"])
             for p in page.evaluate("window.__streamvis.plots()")}
    assert kinds["workspace weights/first first"] == ("histogram", None), kinds
    assert kinds["workspace train/loss loss"] == ("line", None), kinds


def _cell_colors(page: Page, panel: str) -> dict[tuple[int, int], tuple[int, int, int]]:
    """The screen color at the center of each cell of the 8x8 image in `panel` that shows:
    the image is as wide as its column, so a panel shorter than that cuts its lower rows."""
    img = page.locator(f"{panel} .media-plot section.run .image img").bounding_box()
    body = page.locator(f"{panel} .body").bounding_box()
    assert img is not None and body is not None
    pixels = png_pixels(page.screenshot()).astype(np.int32)
    out = {}
    for row in range(8):
        for col in range(8):
            x = img["x"] + (col + 0.5) * img["width"] / 8
            y = img["y"] + (row + 0.5) * img["height"] / 8
            if body["x"] + 2 < x < body["x"] + body["width"] - 2 \
                    and body["y"] + 2 < y < body["y"] + body["height"] - 2:
                r, g, b = pixels[round(y), round(x), :3]
                out[row, col] = (int(r), int(g), int(b))
    return out


def test_the_text_and_the_image_are_workspace_panels(server: ServerProcess, page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.goto(f"{server.web_url}workspace")
    # The text panel: the run's latest text, its markdown rendered (final loss **0.xxxx**).
    text = "[data-panel='notes/notes']"
    page.wait_for_selector(f"{text} .text-plot .markdown strong")
    bold = page.inner_text(f"{text} .markdown strong")
    assert bold.startswith("0.") and len(bold) == 6, bold
    assert "final loss" in page.inner_text(f"{text} .markdown")
    assert page.get_attribute(f"{text} .text-plot", "data-format") == "markdown"
    # The media panel: the checkerboard on screen, red on blue, cell by cell.
    panel = "[data-panel='inputs/board/board']"
    wait_until(page, f'(() => {{ const i = document.querySelector("{panel} .media-plot'
                     ' section.run .image img");'
                     " return i !== null && i.complete && i.naturalWidth === 8; })()")
    page.wait_for_timeout(300)
    cells = _cell_colors(page, panel)
    assert len(cells) >= 16, f"at least two rows of the image in view, got {sorted(cells)}"
    for (row, col), got in cells.items():
        want = (255, 0, 0) if BOARD[row, col] else (0, 0, 255)
        assert all(abs(a - w) <= 40 for a, w in zip(got, want, strict=True)), \
            f"cell ({row}, {col}) shows {got}, not {want}"


def test_the_text_and_the_image_arrive(server: ServerProcess, page: Page) -> None:
    with streamvis.connect(server.uri) as sv:
        (run,) = sv.runs(tags_any="tiny")
        (ref,) = sv.fetch("inputs/board", runs=[run]).column("board").to_pylist()
        image = sv.media(ref, as_="numpy")
    board = BOARD
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
