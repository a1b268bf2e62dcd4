"""Smoothed lines in the browser: the raw line drawn faint, the smoothed one over it in
full color, and the hover reading both — checked against TensorBoard's de-biased EMA
computed here with numpy, on pixels of a screenshot of the plot opened from its dashboard
URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import _area, _at, _open, png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

WEIGHT = 0.99
STEPS = np.arange(400)
#: A step from 0 to 1 at step 200: the smoothed line climbs slowly after it, well below the raw.
LOSS = np.where(STEPS < 200, 0.0, 1.0)


def tensorboard_ema(ys: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: an EMA from 0, divided by 1 - weight^k after k points."""
    out, last = np.empty(len(ys)), 0.0
    for k, y in enumerate(ys, start=1):
        last = last * weight + (1 - weight) * y
        out[k - 1] = last / (1 - weight**k)
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("smooth"))) as proc, Client(proc.uri) as c:
        c.create_field("step", "int")
        c.create_field("loss", "float")
        c.create_series("train", ["step", "loss"])
        run = c.create_run(tags=["smooth"])
        c.append(run.handle, "train", {"step": STEPS, "loss": LOSS})
        c.save_plot("smoothed", {"kind": "line", "smooth": {"ema": WEIGHT}, "datasets": [
            {"series": "train", "bindings": {"x": "step", "y": "loss"}}]})
        yield proc


def _strongest(pixels: np.ndarray, pos: tuple[float, float], bg: np.ndarray) -> np.ndarray:
    """The pixel within 2 rows of `pos` that differs most from the background (a line is
    one pixel thick, and may fall a pixel off the computed row)."""
    x, y = round(pos[0]), round(pos[1])
    column = pixels[y - 2:y + 3, x]
    strongest: np.ndarray = column[int(np.argmax(np.abs(column - bg).sum(axis=1)))]
    return strongest


def test_the_smoothed_line_is_drawn_over_the_faint_raw_line(server, page: Page) -> None:
    plot: dict[str, Any] = _open(page, server, "smoothed")
    area = _area(page)
    pixels = png_pixels(page.screenshot())
    smoothed = tensorboard_ema(LOSS, WEIGHT)
    assert 0.4 < smoothed[300] < 0.8  # well apart from the raw line at 1
    bg = pixels[round(_at(plot, area, 300, 0.25)[1]), round(_at(plot, area, 300, 0.25)[0])]
    raw = _strongest(pixels, _at(plot, area, 300, 1.0), bg)
    smooth = _strongest(pixels, _at(plot, area, 300, float(smoothed[300])), bg)
    raw_off, smooth_off = np.abs(raw - bg).sum(), np.abs(smooth - bg).sum()
    assert raw_off > 30, "the raw line is drawn"
    assert smooth_off > raw_off + 60, "the smoothed line is drawn in full color, the raw faint"
    # Same hue: the faint line is the full color mixed toward the background.
    assert np.sign(smooth - bg).tolist() == np.sign(raw - bg).tolist()


def test_the_hover_reads_the_raw_and_the_smoothed_value(server, page: Page) -> None:
    plot = _open(page, server, "smoothed")
    page.mouse.move(*_at(plot, _area(page), 300, 1.0))
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    step = int(hover["x"])
    assert hover["y"] == LOSS[step]
    assert hover["smoothed"] == pytest.approx(tensorboard_ema(LOSS, WEIGHT)[step], rel=1e-9)
    tip = page.inner_text(".plot .tip")
    assert "smoothed" in tip and "loss" in tip


def test_a_dashboard_url_turns_the_smoothing_off_or_changes_it(server, page: Page) -> None:
    for query, expected in (("&smooth=off", None), ("&smooth=w10", float(np.mean(LOSS[291:301])))):
        plot = _open(page, server, f"smoothed{query}")
        page.mouse.move(*_at(plot, _area(page), 300, 1.0))
        wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
        hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
        assert int(hover["x"]) == 300
        assert hover["smoothed"] == (None if expected is None else pytest.approx(expected))
