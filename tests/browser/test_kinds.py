"""The aggregating kinds in the browser: a histogram, a histogram over steps, a confusion-
matrix heatmap, bars and boxes, each saved as a plot and opened from its dashboard URL.

Each test checks the picture: the color of the screenshot's pixels at places computed
from the view the page reports (a bin's middle is painted, the empty area above it is
not), and the hover read-out over a bin, cell, bar or box against numpy's own figure.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_plot_view import RECORD_LABELS

if TYPE_CHECKING:
    from playwright.sync_api import Page

RNG = np.random.default_rng(7)
STEPS = np.repeat(np.arange(40), 1_000)
W = RNG.normal(STEPS / 10, 1.0)
N = 3_000
LABEL = RNG.integers(0, 5, N)
PRED = np.where(RNG.random(N) < 0.7, LABEL, RNG.integers(0, 5, N))
SPLIT = RNG.choice(["train", "val", "test"], N)
SCORE = RNG.normal(LABEL, 1.0)

PLOTS: dict[str, dict[str, Any]] = {
    "hist": {"kind": "histogram", "reduce": {"bins": 40},
             "datasets": [{"series": "weights", "bindings": {"x": "w"}}]},
    "over-steps": {"kind": "histogram", "reduce": {"bins": 30},
                   "datasets": [{"series": "weights", "bindings": {"x": "w", "t": "step"}}]},
    "distribution": {"kind": "histogram", "reduce": {"bins": 30}, "view": "distribution",
                     "datasets": [{"series": "weights", "bindings": {"x": "w", "t": "step"}}]},
    "confusion": {"kind": "heatmap",
                  "datasets": [{"series": "preds", "bindings": {"x": "label", "y": "pred"}}]},
    "bars": {"kind": "bar", "datasets": [{"series": "preds", "bindings": {"category": "split"}}]},
    "boxes": {"kind": "box",
              "datasets": [{"series": "preds", "bindings": {"category": "label", "y": "score"}}]},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("kinds"))) as proc, Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("w", "float"), ("label", "int"), ("pred", "int"),
                           ("split", "string"), ("score", "float")):
            c.create_field(name, kind)
        c.create_series("weights", ["step", "w"])
        c.create_series("preds", ["label", "pred", "split", "score"])
        run = c.create_run(tags=["kinds"])
        c.append(run.handle, "weights", {"step": STEPS, "w": W})
        c.append(run.handle, "preds", {"label": LABEL, "pred": PRED, "split": SPLIT.astype(str),
                                       "score": SCORE})
        for name, spec in PLOTS.items():
            c.save_plot(name, spec)
        yield proc


def png_pixels(png: bytes) -> np.ndarray:
    """An 8-bit RGB(A) PNG (as Chromium writes screenshots) as an array of rows of pixels."""
    pos, chunks, width, height, channels = 8, [], 0, 0, 4
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, color = struct.unpack(">IIBB", data[:10])
            channels = 4 if color == 6 else 3
        elif kind == b"IDAT":
            chunks.append(data)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    out = np.zeros((height, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(height):
        f, line = raw[y * (stride + 1)], np.frombuffer(
            raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        if f == 1:
            for x in range(channels, stride):
                line[x] = (line[x] + line[x - channels]) & 255
        elif f == 2:
            line = (line + prev) & 255
        elif f == 3:
            for x in range(stride):
                left = line[x - channels] if x >= channels else 0
                line[x] = (line[x] + (left + prev[x]) // 2) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - channels] if x >= channels else 0
                b, c = prev[x], prev[x - channels] if x >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y], prev = line, line
    return out.reshape(height, width, channels)[:, :, :3]


def _open(page: Page, server: ServerProcess, name: str) -> dict[str, Any]:
    page.goto(f"{server.web_url}?rows={name}")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 1"
                     " && p[0].firstFullRenderAt !== null && p[0].datasets[0].loaded; })()")
    page.wait_for_timeout(300)  # the frame after the load
    plot: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0]")
    assert plot["problem"] is None and plot["datasets"][0]["error"] is None
    return plot


def _area(page: Page) -> Any:
    element = page.query_selector(".plot .area")
    box = element.bounding_box() if element else None
    assert box is not None
    return box


def _at(plot: dict[str, Any], area: dict[str, float], x: float, y: float) -> tuple[float, float]:
    """The page position of data point (x, y) on a linear plot."""
    v = plot["view"]
    fx, fy = (x - v["x0"]) / (v["x1"] - v["x0"]), (y - v["y0"]) / (v["y1"] - v["y0"])
    return area["x"] + fx * area["width"], area["y"] + (1 - fy) * area["height"]


def _pixel(page: Page, pos: tuple[float, float]) -> tuple[int, int, int]:
    pixels = png_pixels(page.screenshot())
    r, g, b = pixels[round(pos[1]), round(pos[0])]
    return int(r), int(g), int(b)


def _painted(page: Page, pos: tuple[float, float]) -> bool:
    """Whether the pixel at `pos` has a color: the background and grid lines are grays."""
    pixel = _pixel(page, pos)
    return max(pixel) - min(pixel) > 40


def _hover(page: Page, pos: tuple[float, float]) -> dict[str, str]:
    page.mouse.move(*pos)
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    return dict(hover["labels"])


def test_histogram_paints_its_bins_and_reads_out_their_counts(server, page) -> None:
    plot = _open(page, server, "hist")
    area = _area(page)
    counts, edges = np.histogram(W, bins=40)
    top = int(np.argmax(counts))
    middle = (edges[top] + edges[top + 1]) / 2
    assert _painted(page, _at(plot, area, middle, counts[top] / 2))
    assert not _painted(page, _at(plot, area, middle, counts[top] * 1.03))
    assert _hover(page, _at(plot, area, middle, counts[top] / 2))["count"] == str(counts[top])


def test_histogram_over_steps_is_a_heatmap_of_counts(server, page) -> None:
    plot = _open(page, server, "over-steps")
    assert plot["legendBar"]["field"] == "count"
    area = _area(page)
    # Step 0 centers on 0, step 39 on 3.9: (0, 0) is painted, (0, 5) is empty, (39, 4) painted.
    assert _painted(page, _at(plot, area, 0, 0))
    assert not _painted(page, _at(plot, area, 0, 5.5))
    assert _painted(page, _at(plot, area, 39, 4))
    readout = _hover(page, _at(plot, area, 39, 3.9))
    assert int(readout["count"]) > 0


def test_the_distribution_view_draws_percentile_bands(server, page) -> None:
    plot = _open(page, server, "distribution")
    assert plot["legendBar"] is None
    area = _area(page)
    at_step = W[STEPS == 20]
    median = float(np.median(at_step))
    # The band around the median is the darkest; past the extremes nothing is drawn.
    inner = _pixel(page, _at(plot, area, 20, median + 0.1))
    outer = _pixel(page, _at(plot, area, 20, float(np.percentile(at_step, 97))))
    assert sum(inner) < sum(outer)
    assert not _painted(page, _at(plot, area, 20, float(at_step.max()) + 1.0))
    readout = _hover(page, _at(plot, area, 20, median))
    assert float(readout["p50"]) == pytest.approx(median, abs=0.15)  # within a bin


def test_confusion_matrix_colors_the_diagonal_brightest(server, page) -> None:
    plot = _open(page, server, "confusion")
    area = _area(page)
    matrix = np.zeros((5, 5), int)
    np.add.at(matrix, (LABEL, PRED), 1)
    diagonal = _pixel(page, _at(plot, area, 2, 2))
    off = _pixel(page, _at(plot, area, 2, 4))
    assert sum(diagonal) > sum(off) + 150  # viridis: many rows are bright, few dark
    assert _hover(page, _at(plot, area, 3, 1))["count"] == str(matrix[3, 1])


def test_bars_have_the_height_of_their_count(server, page) -> None:
    page.context.add_init_script(RECORD_LABELS)
    plot = _open(page, server, "bars")
    labels = page.evaluate(
        "document.querySelector('.plot .overlay').getContext('2d').__labels.map(l => l.text)")
    assert {"test", "train", "val"} <= set(labels)  # the category axis's ticks
    area = _area(page)
    names = sorted(set(SPLIT.tolist()))  # a string category sits at its rank
    for rank, name in enumerate(names):
        count = int(np.count_nonzero(SPLIT == name))  # noqa: SIM300
        assert _painted(page, _at(plot, area, rank, count * 0.9))
        assert not _painted(page, _at(plot, area, rank, count * 1.05))
        readout = _hover(page, _at(plot, area, rank, count / 2))
        assert readout == {"category": name, "count": str(count)}


def test_boxes_read_out_their_quartiles(server, page) -> None:
    plot = _open(page, server, "boxes")
    outliers = 0
    for label in range(5):
        ys = SCORE[np.equal(LABEL, label)]
        q1, q3 = np.percentile(ys, [25, 75])
        inner = ys[(ys >= q1 - 1.5 * (q3 - q1)) & (ys <= q3 + 1.5 * (q3 - q1))]
        outliers += int(np.count_nonzero((ys < inner.min()) | (ys > inner.max())))
    assert outliers > 0
    # Per box: the box, its median, two whiskers; and a tick per outlier.
    assert plot["datasets"][0]["points"] == 5 * 4 + outliers
    area = _area(page)
    for label in (0, 4):
        ys = SCORE[np.equal(LABEL, label)]
        q1, median, q3 = np.percentile(ys, [25, 50, 75])
        assert _painted(page, _at(plot, area, label, (q1 + median) / 2))
        readout = _hover(page, _at(plot, area, label, (q1 + median) / 2))
        assert float(readout["median"]) == pytest.approx(median, rel=1e-3)
        assert float(readout["q3"]) == pytest.approx(q3, rel=1e-3)
