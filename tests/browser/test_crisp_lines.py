"""A 1 px line lands on one row of pixels in its exact color whatever the plot area's height.

The data are drawn into a frame cache a margin larger than the view and shown through a
linearly filtered blit; when the margin was a fraction of the height that was not a whole
number of pixels (an odd height, or one not a multiple of four), every horizontal line came
out as two rows at half strength. Here a horizontal line is drawn at heights of each kind
(a multiple of four, even but not, odd) and the screenshot's pixels of its exact color are
counted, on both raster paths: the CPU rasterizer (chosen on software GL, as here) and GL
primitives (`&raster=gl`) on SwiftShader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

STEPS = np.arange(100)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("crisp"))) as proc, Client(proc.uri) as c:
        c.create_field("step", "int")
        c.create_field("loss", "float")
        c.create_field("seed", "int")
        c.create_series("flat", ["step", "loss"])
        for seed in range(2):
            run = c.create_run(tags=["crisp"], attributes={"seed": seed})
            # Off any tick value: a grid line drawn over the line would change its color.
            loss = np.full(len(STEPS), 1.137 + 0.726 * seed)
            c.append(run.handle, "flat", {"step": STEPS, "loss": loss})
        c.save_plot("flat", {"kind": "line", "datasets": [
            {"series": "flat", "attributes": ["seed"],
             "bindings": {"x": "step", "y": "loss", "color": "seed"}}]})
        yield proc


def _area_height(page: Page) -> float:
    height: float = page.evaluate(
        "() => document.querySelector('.plot .area').getBoundingClientRect().height")
    return height


def _colors(page: Page) -> list[tuple[int, int, int]]:
    css: list[str] = page.eval_on_selector_all(
        ".legend .entry i", "els => els.map(e => getComputedStyle(e).backgroundColor)")
    out = []
    for c in css:
        r, g, b = (int(v) for v in c[c.index("(") + 1:c.index(")")].split(",")[:3])
        out.append((r, g, b))
    return out


@pytest.mark.parametrize("raster", ["", "&raster=gl"], ids=["cpu", "gl"])
@pytest.mark.parametrize("height_kind", [0, 1, 2, 3])
def test_a_horizontal_line_is_one_row_of_its_exact_color_at_any_height(
        page: Page, server: ServerProcess, height_kind: int, raster: str) -> None:
    page.goto(f"{server.web_url}?rows=flat{raster}")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 1"
                     " && p[0].firstFullRenderAt !== null && p[0].datasets[0].loaded; })()")
    wait_until(page, "document.querySelectorAll('.legend .entry').length === 2")
    # Grow the window a pixel at a time until the data area's height has the remainder
    # mod 4 this case is about (the page's layout decides how the window maps to it).
    base = 760
    for extra in range(8):
        page.set_viewport_size({"width": 1000, "height": base + extra})
        page.wait_for_timeout(50)
        height = _area_height(page)
        if height == int(height) and int(height) % 4 == height_kind:
            break
    else:
        pytest.fail(f"no window height gave a data area of height ≡ {height_kind} (mod 4)")
    page.wait_for_timeout(400)  # the resize's redraw
    area = page.query_selector(".plot .area")
    assert area is not None
    pixels = png_pixels(area.screenshot())[..., :3].astype(int)
    width = pixels.shape[1]
    colors = _colors(page)
    assert len(set(colors)) == 2
    for rgb in colors:
        exact = np.all(pixels == np.array(rgb), axis=-1)
        rows = np.flatnonzero(exact.sum(axis=1) > width // 4)
        # One row, nearly the area's width (the line runs from x = 0 to 99 with the
        # axis padding left and right), in the color itself, not blended with white.
        flat = pixels.reshape(-1, 3)
        u, c = np.unique(flat, axis=0, return_counts=True)
        top = sorted(zip(c.tolist(), u.tolist(), strict=True), reverse=True)[:8]
        assert len(rows) == 1, (height, rgb, rows, top)
        assert exact.sum() >= 0.8 * width, (height, rgb, int(exact.sum()), width)
        # And nothing of half strength beside it: the rows above and below are not tinted.
        row = int(rows[0])
        for neighbour in (row - 1, row + 1):
            tint = np.abs(pixels[neighbour] - 255).max(axis=-1)
            assert int((tint > 60).sum()) < width // 10, (height, rgb, neighbour)
