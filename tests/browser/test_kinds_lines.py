"""The line family in the browser, each plot opened from its dashboard URL and checked on
the pixels of a screenshot: smoothed lines (the raw line drawn faint, the smoothed one over
it in full color, the hover reading both, against TensorBoard's de-biased EMA computed here
with numpy), stems, stacked areas and runs as bands.
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
#: Stems of 40 counts, all above 0: the axis still starts at 0, where the stems do.
TICKS = np.arange(40)
COUNTS = 1.0 + TICKS % 3
#: Two runs of constant levels 1 and 2, stacked: 0 to 3 in all; by run handle.
LEVELS: dict[str, float] = {}


#: Each picture is drawn both ways: the CPU rasterizer (chosen on software GL, as here) and
#: GL primitives (`?raster=gl`, as on a GPU).
RASTERS = pytest.mark.parametrize("raster", ["", "&raster=gl"], ids=["cpu", "gl"])


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
        c.create_series("ticks", ["step", "loss"])
        c.create_series("level", ["step", "loss"])
        c.append(run.handle, "ticks", {"step": TICKS, "loss": COUNTS})
        for level in (1.0, 2.0):
            stacked = c.create_run(tags=["areas"])
            LEVELS[str(stacked.handle)] = level
            c.append(stacked.handle, "level", {"step": TICKS, "loss": np.full(TICKS.size, level)})
        c.save_plot("areas", {"kind": "area", "datasets": [
            {"series": "level", "filter": {"tags_all": ["areas"]},
             "bindings": {"x": "step", "y": "loss"}}]})
        c.create_field("optimizer", "string")
        for level in (1.0, 3.0):
            banded = c.create_run(tags=["bands"], attributes={"optimizer": "adam"})
            c.append(banded.handle, "level", {"step": TICKS, "loss": np.full(TICKS.size, level)})
        c.save_plot("bands", {"kind": "band", "datasets": [
            {"series": "level", "filter": {"tags_all": ["bands"]}, "attributes": ["optimizer"],
             "bindings": {"x": "step", "y": "loss", "group": "optimizer"}}]})
        c.save_plot("bands-std", {"kind": "band", "view": "std", "datasets": [
            {"series": "level", "filter": {"tags_all": ["bands"]},
             "bindings": {"x": "step", "y": "loss"}}]})
        c.save_plot("stems", {"kind": "stem", "datasets": [
            {"series": "ticks", "bindings": {"x": "step", "y": "loss"}}]})
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


@RASTERS
def test_the_smoothed_line_is_drawn_over_the_faint_raw_line(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot: dict[str, Any] = _open(page, server, "smoothed" + raster)
    area = _area(page)
    pixels = png_pixels(page.screenshot())
    smoothed = tensorboard_ema(LOSS, WEIGHT)
    assert 0.4 < smoothed[310] < 0.8  # well apart from the raw line at 1
    # Step 310 and y 0.325: off the grid lines (ticks every 20 steps and 0.05), so the
    # background is white and the raw line's faint color (each run's color varies) is not
    # compared with a gray grid pixel.
    bg = pixels[round(_at(plot, area, 310, 0.325)[1]), round(_at(plot, area, 310, 0.325)[0])]
    raw = _strongest(pixels, _at(plot, area, 310, 1.0), bg)
    smooth = _strongest(pixels, _at(plot, area, 310, float(smoothed[310])), bg)
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


@RASTERS
def test_stems_rise_from_zero_at_each_point_and_nowhere_between(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "stems" + raster)
    assert plot["view"]["y0"] <= 0 and plot["view"]["y1"] >= COUNTS.max()
    area = _area(page)
    pixels = png_pixels(page.screenshot())

    def colored(x: float, y: float) -> bool:
        """Whether a pixel at data (x, y), or one beside it (a 1-pixel stem may fall on
        either side of a pixel edge), has a color: background and grid are grays."""
        px, py = _at(plot, area, x, y)
        near = pixels[round(py), round(px) - 1:round(px) + 2]
        return bool((near.max(axis=1) - near.min(axis=1) > 40).any())

    for step in (10, 11, 12):
        assert colored(step, COUNTS[step] / 2), f"the stem of step {step} is drawn"
        assert not colored(step, COUNTS[step] + 0.3), f"the stem of step {step} stops at its count"
        assert not colored(step + 0.5, COUNTS[step] / 2), "nothing between stems"
    page.mouse.move(*_at(plot, area, 11, COUNTS[11]))
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert (hover["x"], hover["y"]) == (11, COUNTS[11])


@RASTERS
def test_areas_stack_each_run_on_the_ones_before(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "areas" + raster)
    area = _area(page)
    pixels = png_pixels(page.screenshot())
    assert plot["view"]["y0"] <= 0 and plot["view"]["y1"] >= 3.0  # 1 + 2 stacked

    def color(y: float) -> tuple[int, int, int]:
        px, py = _at(plot, area, 20, y)
        r, g, b = pixels[round(py), round(px)]
        return int(r), int(g), int(b)

    first, second, above = color(0.5), color(2.5), color(3.3)
    # Filled: darker than the white background (and the light gray grid) in some channel.
    # Not by chroma: a run's color comes from a hash of its handle, and a brown's faint
    # fill (45 %) has a chroma near 30.
    assert 255 - min(first) > 40 and 255 - min(second) > 40, ("both filled", first, second)
    assert first != second, "each run in its own color"
    assert 255 - min(above) < 40, ("nothing above the stack", above)
    page.mouse.move(*_at(plot, area, 20, 3.0))
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert hover["y"] == LEVELS[hover["run"]] < 3  # the run's own value, not the stacked 3


@RASTERS
def test_runs_grouped_by_an_attribute_are_a_mean_over_a_band(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "bands" + raster)
    area = _area(page)
    pixels = png_pixels(page.screenshot())

    def chroma(y: float) -> int:
        px, py = _at(plot, area, 20, y)
        r, g, b = (int(v) for v in pixels[round(py), round(px)])
        return max(r, g, b) - min(r, g, b)

    mean = max(chroma(2.0 + d) for d in (-0.03, 0.0, 0.03))  # the 1-pixel mean line
    assert mean > chroma(1.5) + 40, "the mean in full color over the lighter band"
    assert chroma(1.5) > 20, "the band between the runs is filled"
    assert chroma(3.4) < 10, "nothing past the highest run (background and grid are grays)"
    page.mouse.move(*_at(plot, area, 20, 2.0))
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert hover["y"] == 2.0 and hover["run"] == "optimizer=adam"
    assert dict(hover["labels"]) == {"min": "1", "max": "3", "runs": "2"}


def test_a_band_of_all_runs_as_mean_and_std(server, page: Page) -> None:
    plot = _open(page, server, "bands-std")
    page.mouse.move(*_at(plot, _area(page), 20, 2.0))
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert hover["run"] == "all runs" and hover["y"] == 2.0
    assert dict(hover["labels"]) == {"\u2212std": "1", "+std": "3", "runs": "2"}
