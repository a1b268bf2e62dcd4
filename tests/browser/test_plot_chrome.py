"""A plot's chrome in the browser: run colors, legend labels and toggles, the toolbar's PNG
and SVG downloads. Checks are on what is drawn: screenshot pixels of the data area, the
legend's text, and the downloaded files decoded here.
"""

from __future__ import annotations

import colorsys
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

STEPS = np.arange(200)
#: A sweep as the demo makes: learning rates a factor 3 apart, two optimizers.
LRS = [1e-3 * 3**i for i in range(4)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("chrome"))) as proc, Client(proc.uri) as c:
        c.create_field("step", "int")
        c.create_field("loss", "float")
        for name, kind in (("lr", "float"), ("optimizer", "string"), ("batch_size", "int"),
                           ("env.hostname", "string")):
            c.create_field(name, kind)
        c.create_series("train", ["step", "loss"])
        for i, lr in enumerate(LRS):
            run = c.create_run(tags=["chrome"], attributes={
                "lr": lr, "optimizer": ("adam", "sgd")[i % 2], "batch_size": 32,
                "env.hostname": f"box{i}"})
            # Four bands far apart, so each run's line has its own pixels.
            loss = 1.0 + 2.0 * i + 0.3 * np.sin(STEPS / 9)
            c.append(run.handle, "train", {"step": STEPS, "loss": loss})
        # A decaying loss with six-fold spikes every 50 steps (the case).
        c.create_series("spiky", ["step", "loss"])
        base = 0.05 + 2.0 * np.exp(-STEPS / 60)
        spiky = np.where(STEPS % 50 == 25, 6 * base, base)
        run = c.create_run(tags=["spiky"])
        c.append(run.handle, "spiky", {"step": STEPS, "loss": spiky})
        for mode in ("auto", "full"):
            c.save_plot(f"spiky-{mode}", {"kind": "line", "y_range": mode, "datasets": [
                {"series": "spiky", "bindings": {"x": "step", "y": "loss"}}]})
        # Twenty runs in one plot: a legend of twenty entries (the "+20 more").
        c.create_field("seed", "int")
        c.create_series("many", ["step", "loss"])
        for seed in range(20):
            run = c.create_run(tags=["many"], attributes={"seed": seed})
            c.append(run.handle, "many", {"step": STEPS[:20], "loss": np.full(20, float(seed))})
        c.save_plot("many", {"kind": "line", "datasets": [
            {"series": "many", "bindings": {"x": "step", "y": "loss"}}]})
        c.save_plot("sweep", {"kind": "line", "title": "loss by lr", "datasets": [
            {"series": "train", "attributes": ["lr"],
             "bindings": {"x": "step", "y": "loss", "color": "lr"}}]})
        # Points in two parts far apart, and three points whose energy spans six decades.
        for name, kind in (("px", "float"), ("py", "float"), ("part", "string"),
                           ("energy", "float")):
            c.create_field(name, kind)
        c.create_series("cloud", ["px", "py", "part"])
        c.create_series("energies", ["px", "py", "energy"])
        rng = np.random.default_rng(7)
        run = c.create_run(tags=["cloud"])
        c.append(run.handle, "cloud", {
            "px": np.r_[rng.uniform(0, 1, 60), rng.uniform(3, 4, 60)],
            "py": np.r_[rng.uniform(0, 1, 60), rng.uniform(3, 4, 60)],
            "part": np.array(["a"] * 60 + ["b"] * 60)})
        c.append(run.handle, "energies", {"px": np.array([0.0, 1.0, 2.0]),
                                          "py": np.array([0.0, 0.0, 0.0]),
                                          "energy": np.array([1e-3, 1.0, 1e3])})
        c.save_plot("cloud-by-part", {"kind": "scatter", "datasets": [
            {"series": "cloud", "bindings": {"x": "px", "y": "py", "color": "part"}}]})
        c.save_plot("energies", {"kind": "scatter", "datasets": [
            {"series": "energies", "bindings": {"x": "px", "y": "py", "color": "energy"}}]})
        c.save_plot("by-optimizer", {"kind": "line", "datasets": [
            {"series": "train", "attributes": ["optimizer"],
             "bindings": {"x": "step", "y": "loss", "color": "optimizer"}}]})
        yield proc


def _open(page: Page, server: ServerProcess, name: str) -> None:
    page.goto(f"{server.web_url}?rows={name}")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 1"
                     " && p[0].firstFullRenderAt !== null && p[0].datasets[0].loaded; })()")
    # The legend's labels come with the runs' attributes, a request after the data.
    wait_until(page, "(() => { const e = document.querySelector('.legend .entry');"
                     " return e !== null && !/^[0-9a-f]{8}$/.test(e.textContent.trim()); })()")
    page.wait_for_timeout(300)  # the frame after


def _legend(page: Page) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = page.eval_on_selector_all(
        ".legend .entry", """els => els.map(e => ({
        label: e.textContent.trim(), key: e.dataset.key,
        color: getComputedStyle(e.querySelector('i')).backgroundColor}))""")
    return entries


def _rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return r, g, b


def _area_pixels(page: Page) -> np.ndarray:
    element = page.query_selector(".plot .area")
    assert element is not None
    return png_pixels(element.screenshot())


def _count(pixels: np.ndarray, rgb: tuple[int, int, int], tol: int = 24) -> int:
    """Pixels of color `rgb` (within `tol` per channel): a 1 px line is drawn in its own
    color on one pixel row, never spread over two at half strength (test_crisp_lines)."""
    return int((np.abs(pixels[..., :3].astype(int) - np.array(rgb)).max(axis=-1) <= tol).sum())


def _hue(rgb: tuple[int, int, int]) -> float:
    return colorsys.rgb_to_hsv(*(v / 255 for v in rgb))[0] * 360


def test_close_learning_rates_get_distinct_colors_and_labels_say_what_differs(
        page: Page, server: ServerProcess) -> None:
    _open(page, server, "sweep")
    entries = _legend(page)
    labels = [e["label"] for e in entries]
    assert sorted(labels) == [
        "lr=0.001 · adam", "lr=0.003 · sgd", "lr=0.009 · adam", "lr=0.027 · sgd"]
    colors = {e["label"]: _rgb(e["color"]) for e in entries}
    a, b = colors["lr=0.001 · adam"], colors["lr=0.003 · sgd"]
    distance = abs(_hue(a) - _hue(b))
    assert min(distance, 360 - distance) > 30, (a, b)
    pixels = _area_pixels(page)
    for label, rgb in colors.items():
        assert _count(pixels, rgb) > 50, f"{label}'s line ({rgb}) is not drawn"
    # No color bar for four values: the entries are the key.
    assert page.query_selector(".legend .bar") is None


def test_a_string_color_field_gets_a_category_key(page: Page, server: ServerProcess) -> None:
    _open(page, server, "by-optimizer")
    assert page.inner_text(".legend .heading") == "optimizer:"
    assert sorted(e["label"] for e in _legend(page)) == ["adam", "sgd"]


def test_toggling_a_legend_entry_removes_its_pixels(page: Page, server: ServerProcess) -> None:
    _open(page, server, "sweep")
    entry = next(e for e in _legend(page) if e["label"] == "lr=0.009 · adam")
    rgb = _rgb(entry["color"])
    assert _count(_area_pixels(page), rgb) > 50
    page.click(f".legend .entry[data-key='{entry['key']}']")
    page.mouse.move(5, 5)  # off the legend: no highlight dims the others
    page.wait_for_timeout(400)
    hidden = _area_pixels(page)
    assert _count(hidden, rgb, tol=8) == 0
    others = [_rgb(e["color"]) for e in _legend(page) if e["key"] != entry["key"]]
    assert all(_count(hidden, c) > 50 for c in others)
    page.click(f".legend .entry[data-key='{entry['key']}']")
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)
    assert _count(_area_pixels(page), rgb) > 50


def test_png_download_is_the_panel_with_its_lines(page: Page, server: ServerProcess) -> None:
    _open(page, server, "sweep")
    panel = page.query_selector(".plot")
    box = panel.bounding_box() if panel else None
    assert box is not None
    with page.expect_download() as info:
        page.click("button[aria-label='download PNG']")
    download = info.value
    assert download.suggested_filename == "sweep.png"
    path = download.path()
    pixels = png_pixels(Path(path).read_bytes())
    assert pixels.shape[:2] == (round(box["height"]), round(box["width"]))
    for e in _legend(page):
        assert _count(pixels, _rgb(e["color"])) > 50, e["label"]


def test_svg_download_parses_and_holds_the_axis_titles_and_legend(
        page: Page, server: ServerProcess) -> None:
    _open(page, server, "sweep")
    with page.expect_download() as info:
        page.click("button[aria-label='download SVG']")
    download = info.value
    assert download.suggested_filename == "sweep.svg"
    svg = io.BytesIO(Path(download.path()).read_bytes())
    root = ET.parse(svg).getroot()  # noqa: S314 - the app's own output, written by this test
    texts = {t.text.strip() for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text}
    assert {"step", "loss", "loss by lr", "lr=0.003 · sgd"} <= texts, texts
    images = list(root.iter("{http://www.w3.org/2000/svg}image"))
    assert len(images) == 1  # the data, as the GPU drew them


def test_the_crosshair_lists_every_run_at_the_cursor_sorted_by_value(
        page: Page, server: ServerProcess) -> None:
    _open(page, server, "sweep")
    area = page.query_selector(".plot .area")
    box = area.bounding_box() if area else None
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_until(page, "document.querySelectorAll('[data-crosshair] tbody tr').length === 4")
    rows: list[list[str]] = page.eval_on_selector_all(
        "[data-crosshair] tbody tr",
        "trs => trs.map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim()))")
    labels = [r[1] for r in rows]
    values = [float(r[2]) for r in rows]
    # Run i lies around 1 + 2i: highest first, as the lines lie on screen.
    assert labels == ["lr=0.027 · sgd", "lr=0.009 · adam", "lr=0.003 · sgd", "lr=0.001 · adam"]
    assert values == sorted(values, reverse=True)
    plot = page.evaluate("window.__streamvis.plots()[0]")
    step = round(plot["view"]["x0"] + (plot["view"]["x1"] - plot["view"]["x0"]) / 2)
    header = page.inner_text("[data-crosshair] .k")
    assert header in {f"step {step + d}" for d in (-1, 0, 1)}
    at = int(header.split()[1])
    assert values[-1] == pytest.approx(1.0 + 0.3 * np.sin(at / 9), abs=1e-3)


def _curve_drop(page: Page, plot: dict[str, Any]) -> float:
    """How far the curve falls from step 10 to step 190 (no spikes at either), as a fraction of
    the area's height: measured on the pixels, the middle line-colored row of each column."""
    pixels = _area_pixels(page)
    height, width = pixels.shape[:2]
    colored = (pixels.max(axis=2) - pixels.min(axis=2)) > 30  # the grid is gray; run colors are not
    v = plot["view"]

    def row(step: int) -> float:
        col = round((step - v["x0"]) / (v["x1"] - v["x0"]) * (width - 1))
        rows = np.flatnonzero(colored[:, col])
        assert rows.size > 0, f"no line at step {step}"
        return float(np.median(rows))

    return float(row(190) - row(10)) / float(height)


def test_a_robust_range_keeps_spiky_curves_using_the_height_and_marks_the_spikes(
        page: Page, server: ServerProcess) -> None:
    page.goto(f"{server.web_url}?rows=spiky-auto")
    wait_until(page, "(() => { const p = window.__streamvis.plots();"
                     " return p.length === 1 && p[0].firstFullRenderAt !== null; })()")
    page.wait_for_timeout(300)
    plot = page.evaluate("window.__streamvis.plots()[0]")
    peak = 6 * 2.05 * np.exp(-25 / 60)
    assert plot["view"]["y1"] < peak / 2  # the spikes do not set the range
    assert plot["clipMarks"] >= 2  # the early spikes (steps 25, 75) run off the top, marked
    assert _curve_drop(page, plot) > 0.6  # the curve uses most of the height
    page.goto(f"{server.web_url}?rows=spiky-full")
    wait_until(page, "(() => { const p = window.__streamvis.plots();"
                     " return p.length === 1 && p[0].firstFullRenderAt !== null; })()")
    page.wait_for_timeout(300)
    plot = page.evaluate("window.__streamvis.plots()[0]")
    assert plot["view"]["y1"] >= peak
    assert plot["clipMarks"] == 0
    assert _curve_drop(page, plot) < 0.3  # squeezed into the bottom: what robust avoids


def test_the_landing_page_run_table_hides_bookkeeping_and_shortens_floats(
        page: Page, server: ServerProcess) -> None:
    page.goto(server.web_url)
    wait_until(page, "document.querySelectorAll('.home table tbody tr').length >= 4")
    text = page.inner_text(".home table")
    assert "lr=0.003," in text  # 1e-3 * 3 is 0.0030000000000000005 as a float
    assert "0.0030000000000000005" not in text
    assert "env.hostname" not in text and "box1" not in text


def test_a_half_width_cell_shows_every_legend_entry(page: Page, server: ServerProcess) -> None:
    page.goto(f"{server.web_url}?rows=many,sweep")
    wait_until(page, "(() => { const p = window.__streamvis.plots();"
                     " return p.length === 2 && p.every(x => x.firstFullRenderAt !== null); })()")
    wait_until(page, "(() => { const e = document.querySelector('[data-plot=many] .legend .entry');"
                     " return e !== null && e.textContent.includes('seed='); })()")
    legend = page.query_selector("[data-plot=many] .legend")
    assert legend is not None
    box = legend.bounding_box()
    assert box is not None and box["width"] < 700  # a half-width cell
    entries = legend.query_selector_all(".entry")
    assert sorted(e.inner_text() for e in entries) == sorted(f"seed={i}" for i in range(20))
    for e in entries:
        b = e.bounding_box()
        assert b is not None
        # Whole, inside the legend: not cut off, not scrolled out of view.
        assert box["y"] <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"] + 0.5
        assert box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 0.5
    assert legend.query_selector(".more") is None


def test_toggling_a_scatter_legend_entry_hides_its_points(
        page: Page, server: ServerProcess) -> None:
    _open(page, server, "cloud-by-part")
    entries = {e["label"]: e for e in _legend(page)}
    assert sorted(entries) == ["a", "b"]
    a, b = _rgb(entries["a"]["color"]), _rgb(entries["b"]["color"])
    before = _area_pixels(page)
    assert _count(before, a) > 30 and _count(before, b) > 30
    page.click(f".legend .entry[data-key='{entries['a']['key']}']")
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)
    hidden = _area_pixels(page)
    assert _count(hidden, a, tol=8) == 0
    assert _count(hidden, b) > 30
    page.click(f".legend .entry[data-key='{entries['a']['key']}']")
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)
    assert _count(_area_pixels(page), a) > 30


def test_a_scatter_color_spanning_decades_is_on_a_log_scale(
        page: Page, server: ServerProcess) -> None:
    page.goto(f"{server.web_url}?rows=energies")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 1"
                     " && p[0].firstFullRenderAt !== null && p[0].datasets[0].loaded; })()")
    page.wait_for_timeout(300)
    plot = page.evaluate("window.__streamvis.plots()[0]")
    assert plot["legendBar"]["field"] == "energy"
    assert page.query_selector(".legend .bar") is not None
    area = page.query_selector(".plot .area")
    box = area.bounding_box() if area else None
    assert box is not None
    pixels = png_pixels(page.screenshot())
    v = plot["view"]

    def distance_at(x: float, y: float, rgb: tuple[int, int, int]) -> int:
        """How far the point's color is from `rgb`: its nearest pixel within 2 px (a point
        at the area's edge is drawn in part, its rim blended)."""
        fx, fy = (x - v["x0"]) / (v["x1"] - v["x0"]), (y - v["y0"]) / (v["y1"] - v["y0"])
        row, col = round(box["y"] + (1 - fy) * box["height"]), round(box["x"] + fx * box["width"])
        near = pixels[row - 2:row + 3, col - 2:col + 3].reshape(-1, 3)
        return int(np.abs(near - np.array(rgb)).max(axis=-1).min())

    # Viridis at 0, 1/2 and 1 of log10(energy): 1.0 is half way, teal, not the dark purple
    # a linear scale would give it (1 is 0.1 % of the way from 0.001 to 1000).
    want = {0.0: (68, 1, 84), 1.0: (33, 145, 140), 2.0: (253, 231, 37)}
    for x, rgb in want.items():
        assert distance_at(x, 0.0, rgb) < 30, (x, rgb)
