"""The 2-D layouts of the aggregating kinds in the browser: a histogram over steps as
ridgelines, bars grouped side by side by color, and boxes split by color.

Each test checks the picture (pixel colors at places computed from the view the page
reports) and a hover read-out against numpy's own figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .test_kinds import _area, _at, _hover, _open, _painted, _pixel, png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

RNG = np.random.default_rng(11)
STEPS = np.repeat(np.arange(40), 1_000)
W = RNG.normal(STEPS / 10, 1.0)
N = 3_000
SPLIT = RNG.choice(["test", "train", "val"], N, p=[0.2, 0.5, 0.3])
SIDE = RNG.choice(["left", "right"], N, p=[0.35, 0.65])
LABEL = RNG.integers(0, 4, N)
SCORE = RNG.normal(LABEL + np.where(SIDE == "left", -1.0, 1.0), 0.5)

PLOTS: dict[str, dict[str, Any]] = {
    "ridges": {"kind": "histogram", "reduce": {"bins": 30}, "view": "ridgeline",
               "datasets": [{"series": "weights", "bindings": {"x": "w", "t": "step"}}]},
    "grouped": {"kind": "bar", "view": "group",
                "datasets": [{"series": "preds", "bindings": {"category": "split",
                                                              "color": "side"}}]},
    "split-boxes": {"kind": "box",
                    "datasets": [{"series": "preds", "bindings": {"category": "label",
                                                                  "y": "score", "color": "side"}}]},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("kinds2d"))) as proc, Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("w", "float"), ("label", "int"),
                           ("split", "string"), ("side", "string"), ("score", "float")):
            c.create_field(name, kind)
        c.create_series("weights", ["step", "w"])
        c.create_series("preds", ["label", "split", "side", "score"])
        run = c.create_run(tags=["kinds2d"])
        c.append(run.handle, "weights", {"step": STEPS, "w": W})
        c.append(run.handle, "preds", {"label": LABEL, "split": SPLIT.astype(str),
                                       "side": SIDE.astype(str), "score": SCORE})
        for name, spec in PLOTS.items():
            c.save_plot(name, spec)
        yield proc


def _outlines(column: np.ndarray) -> int:
    """Outlines across a column of pixels: the ridges' outlines (rects.ts MARK, a pixel high)
    in their own dark color, [40, 40, 40]. A line spread over two rows at half strength is
    not that color and is not counted: outlines land on one pixel row at any height."""
    dark = np.flatnonzero(np.abs(column[:, :3].astype(int) - 40).max(axis=1) <= 12)
    return sum(1 for k, i in enumerate(dark) if k == 0 or i - dark[k - 1] > 1)


def test_ridgeline_draws_one_offset_curve_per_step(server, page: Page) -> None:
    plot = _open(page, server, "ridges")
    area = _area(page)
    for step in (5, 20, 35):
        # Step s's ridge sits on s - 0.5 (its bin's low edge) and peaks over the mean s/10.
        assert _painted(page, _at(plot, area, step / 10, step))
        assert not _painted(page, _at(plot, area, step / 10 - 4, step))  # 4 sigma out
    # Up a column through the middle steps' peaks: one dark outline per ridge.
    pixels = png_pixels(page.screenshot())
    x, _ = _at(plot, area, 2.0, 0)
    top = round(_at(plot, area, 2.0, 30)[1])
    bottom = round(_at(plot, area, 2.0, 10)[1])
    # A few columns near w = 2: one of them can run down a bin's vertical edge (dark all the
    # way), which has no outlines to count, depending on where the axis puts the pixels.
    counts = [_outlines(pixels[top:bottom, round(x) + dx]) for dx in (-6, -3, 0, 3, 6)]
    assert any(17 <= n <= 23 for n in counts), counts  # steps 10..30: each ridge's top once
    readout = _hover(page, _at(plot, area, 2.0, 20))
    assert readout["step"] in {"[19.5, 20.5)", "[18.5, 19.5)"}
    assert int(readout["count"]) > 0


def test_grouped_bars_sit_side_by_side(server, page: Page) -> None:
    plot = _open(page, server, "grouped")
    area = _area(page)
    for rank, name in enumerate(sorted(set(SPLIT.tolist()))):
        heights = [int(np.count_nonzero(np.equal(SPLIT, name) & np.equal(SIDE, side)))
                   for side in ("left", "right")]
        colors = []
        for offset, height in zip((-0.2, 0.2), heights, strict=True):
            # Each bar from 0 to its own count: painted below its top, not above it.
            assert _painted(page, _at(plot, area, rank + offset, height * 0.9))
            assert _painted(page, _at(plot, area, rank + offset, height * 0.05))
            assert not _painted(page, _at(plot, area, rank + offset, height * 1.06))
            colors.append(_pixel(page, _at(plot, area, rank + offset, height / 2)))
        assert colors[0] != colors[1]
        readout = _hover(page, _at(plot, area, rank - 0.2, heights[0] / 2))
        assert readout == {"side": "left", "category": name, "count": str(heights[0])}


def test_boxes_split_by_color_sit_side_by_side(server, page: Page) -> None:
    plot = _open(page, server, "split-boxes")
    area = _area(page)
    for label in (0, 3):
        for offset, side in ((-0.2, "left"), (0.2, "right")):
            ys = SCORE[np.equal(LABEL, label) & np.equal(SIDE, side)]
            q1, median, q3 = np.percentile(ys, [25, 50, 75])
            assert _painted(page, _at(plot, area, label + offset, (q1 + median) / 2))
            readout = _hover(page, _at(plot, area, label + offset, (q1 + median) / 2))
            assert readout["side"] == side
            assert float(readout["median"]) == pytest.approx(median, rel=1e-3)
            assert float(readout["q3"]) == pytest.approx(q3, rel=1e-3)
