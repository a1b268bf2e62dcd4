"""The contour and quiver kinds in the browser, opened from their dashboard URLs and checked
on the pixels of a screenshot: the iso-lines of z = x² + y² are circles, so a pixel at each
level's radius is painted and the center and the space between circles are not; filled,
every band has a color of its own. The arrows of the rotation field (u, v) = (-y, x) are
drawn on the side of each tail that the field turns to. Both raster paths: the CPU
rasterizer (chosen on software GL, as here) and GL primitives (`&raster=gl`) on
SwiftShader.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import _area, _at, _hover, _open, png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

RASTERS = pytest.mark.parametrize("raster", ["", "&raster=gl"], ids=["cpu", "gl"])
GRID = np.linspace(-2, 2, 41)
#: z spans 0 to 8, so 3 levels are 2, 4 and 6: circles of radius sqrt(2), 2 and sqrt(6).
RADII = (math.sqrt(2), 2.0, math.sqrt(6))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("contour"))) as proc, \
            Client(proc.uri) as c:
        for name in ("px", "py", "pz"):
            c.create_field(name, "float")
        c.create_series("bowl", ["px", "py", "pz"])
        run = c.create_run(tags=["contour"])
        gx, gy = np.meshgrid(GRID, GRID)
        c.append(run.handle, "bowl", {"px": gx.ravel(), "py": gy.ravel(),
                                       "pz": (gx**2 + gy**2).ravel()})
        bowl = {"datasets": [{"series": "bowl", "bindings": {"x": "px", "y": "py", "z": "pz"}}]}
        c.save_plot("rings", {"kind": "contour", "levels": 3, **bowl})
        c.save_plot("bands", {"kind": "contour", "levels": 3, "filled": True, **bowl})
        for name in ("pu", "pv"):
            c.create_field(name, "float")
        c.create_series("spin", ["px", "py", "pu", "pv"])
        sx, sy = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9))
        c.append(run.handle, "spin", {"px": sx.ravel(), "py": sy.ravel(), "pu": -sy.ravel(),
                                       "pv": sx.ravel()})
        c.create_series("gust", ["px", "py", "pu", "pv"])
        c.append(run.handle, "gust", {"px": np.array([0.0, 2.0]), "py": np.array([0.0, 2.0]),
                                       "pu": np.array([1.0, 1.0]), "pv": np.array([0.0, 0.0])})
        c.save_plot("gust", {"kind": "quiver", "datasets": [{"series": "gust", "bindings": {
            "x": "px", "y": "py", "u": "pu", "v": "pv"}}]})
        c.create_field("side", "string")
        c.create_series("sides", ["px", "py", "pu", "pv", "side"])
        c.append(run.handle, "sides", {"px": np.array([0.0, 2.0]), "py": np.array([0.0, 2.0]),
                                        "pu": np.array([1.0, 1.0]), "pv": np.array([0.0, 0.0]),
                                        "side": np.array(["east", "west"])})
        c.save_plot("sides", {"kind": "quiver", "datasets": [{"series": "sides", "bindings": {
            "x": "px", "y": "py", "u": "pu", "v": "pv", "color": "side"}}]})
        c.save_plot("spin", {"kind": "quiver", "datasets": [{"series": "spin", "bindings": {
            "x": "px", "y": "py", "u": "pu", "v": "pv"}}]})
        # A dense field, 100 x 100 arrows, v up and down in a checkerboard: thinned per
        # screen cell, a cell's mean arrow is flat; zoomed in, each arrow has its own cell.
        c.create_series("board", ["px", "py", "pu", "pv"])
        bx, by = np.meshgrid(np.arange(100.0), np.arange(100.0))
        c.append(run.handle, "board", {"px": bx.ravel(), "py": by.ravel(),
                                        "pu": np.ones(bx.size),
                                        "pv": np.where((bx + by) % 2 == 0, 1.0, -1.0).ravel()})
        c.save_plot("board", {"kind": "quiver", "datasets": [{"series": "board", "bindings": {
            "x": "px", "y": "py", "u": "pu", "v": "pv"}}]})
        yield proc


def _colors(page: Page, plot: dict[str, Any], area: dict[str, float],
            points: list[tuple[float, float]], near: int = 0) -> list[tuple[int, int, int]]:
    """The most colorful pixel within `near` pixels of each data point."""
    pixels = png_pixels(page.screenshot())
    out = []
    for x, y in points:
        px, py = _at(plot, area, x, y)
        around = [pixels[round(py) + dy, round(px) + dx][:3].astype(int)
                  for dy in range(-near, near + 1) for dx in range(-near, near + 1)]
        best = max(around, key=lambda p: int(p.max()) - int(p.min()))
        out.append((int(best[0]), int(best[1]), int(best[2])))
    return out


def _colorful(c: tuple[int, int, int]) -> bool:
    return max(c) - min(c) > 40


def _ring(r: float) -> list[tuple[float, float]]:
    """Points on a circle of radius r, at eight angles off the axes and grid diagonals."""
    return [(r * math.cos(a), r * math.sin(a)) for a in np.linspace(0.3, 2 * math.pi + 0.3, 8,
                                                                     endpoint=False)]


@RASTERS
def test_a_contour_of_a_bowl_draws_circles_at_each_levels_radius(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "rings" + raster)
    assert plot["kind"] == "contour" and plot["datasets"][0]["reduced"] == "none"
    assert plot["legendBar"] == {"field": "pz", "min": 0, "max": 8}
    area = _area(page)
    by_level = []
    for r in RADII[:2]:
        colors = _colors(page, plot, area, _ring(r), near=2)
        assert all(_colorful(c) for c in colors), (r, colors)
        by_level.append(colors[0])
    # The third circle runs past the grid's edges: only its arcs in the corners show.
    s = RADII[2] / math.sqrt(2)
    colors = _colors(page, plot, area, [(s, s), (-s, s), (-s, -s), (s, -s)], near=2)
    assert all(_colorful(c) for c in colors), colors
    by_level.append(colors[0])
    # Each level has its own color on the palette.
    assert len(set(by_level)) == 3, by_level
    # The center, and between the circles, nothing is drawn.
    for c in _colors(page, plot, area, [(0, 0), *_ring(0.7), *_ring(1.7)]):
        assert not _colorful(c), c
    # The hover reads the nearest grid node's x, y and z.
    labels = _hover(page, _at(plot, area, 1.02, -0.98))
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert (hover["x"], hover["y"], labels["pz"]) == (1, -1, "2")


@RASTERS
def test_a_filled_contour_colors_each_band(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "bands" + raster)
    area = _area(page)
    # Band 0 (z < 2) at the center, band 1 (2..4) at r = 1.7, band 2 (4..6) at r = 2.1,
    # band 3 in the corners: four colors, none the background.
    centre, b1, b2, b3 = _colors(page, plot, area, [(0, 0), (1.7, 0), (-1.5, -1.5), (1.9, 1.9)])
    assert all(_colorful(c) for c in (centre, b1, b2, b3)), (centre, b1, b2, b3)
    assert len({centre, b1, b2, b3}) == 4


@RASTERS
def test_a_quiver_of_a_rotation_draws_each_arrow_the_way_the_field_turns(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "spin" + raster)
    assert plot["kind"] == "quiver" and plot["datasets"][0]["reduced"] == "none"
    area = _area(page)
    pixels = png_pixels(page.screenshot())

    def colorful(x: float, y: float, across: tuple[int, int]) -> bool:
        """Whether a pixel at (x, y), or one beside it across the arrow, has a color."""
        for k in (-1, 0, 1):
            pixel = pixels[round(y + across[1] * k), round(x + across[0] * k)]
            r, g, b = (int(v) for v in pixel[:3])
            if max(r, g, b) - min(r, g, b) > 40:
                return True
        return False

    # Counter-clockwise: at (1, 0) up, at (0, 1) left, at (-1, 0) down, at (0, -1) right.
    # The longest arrow (at the corners, |(2, 2)|) is 21 px, so these are about 7 px long.
    for (x, y), (dx, dy) in (((1, 0), (0, -1)), ((0, 1), (-1, 0)), ((-1, 0), (0, 1)),
                             ((0, -1), (1, 0))):
        px, py = _at(plot, area, x, y)
        across = (abs(dy), abs(dx))
        ahead = [colorful(px + dx * k, py + dy * k, across) for k in (3, 4)]
        behind = [colorful(px - dx * k, py - dy * k, across) for k in (3, 4)]
        assert all(ahead) and not any(behind), ((x, y), ahead, behind)
    # The hover reads the nearest arrow's components.
    labels = _hover(page, _at(plot, area, 1.02, 0.98))
    assert (labels["pu"], labels["pv"]) == ("-1", "1")


def test_arrows_logged_while_a_quiver_is_open_appear_live(
    server: ServerProcess, page: Page,
) -> None:
    plot = _open(page, server, "gust")
    area = _area(page)
    # An arrow pointing up at (1, 1), inside the view the first two arrows span.
    px, py = _at(plot, area, 1, 1)

    def drawn_above() -> bool:
        pixels = png_pixels(page.screenshot())
        return any(max(pixels[round(py) - k, round(px) + d][:3].astype(int))
                   - min(pixels[round(py) - k, round(px) + d][:3].astype(int)) > 40
                   for k in (5, 6, 7) for d in (-1, 0, 1))

    assert not drawn_above()
    with Client(server.uri) as c:
        run = next(r for r in c.runs() if "contour" in r.tags)
        c.append(run.handle, "gust", {"px": np.array([1.0]), "py": np.array([1.0]),
                                       "pu": np.array([0.0]), "pv": np.array([1.0])})
    for _ in range(40):
        if drawn_above():
            break
        page.wait_for_timeout(250)
    assert drawn_above()
    assert page.evaluate("window.__streamvis.plots()[0].view") == plot["view"]


def test_a_quiver_colored_by_a_category_draws_each_value_in_its_color(
    server: ServerProcess, page: Page,
) -> None:
    plot = _open(page, server, "sides")
    area = _area(page)
    pixels = png_pixels(page.screenshot())
    colors = []
    for x, y in ((0, 0), (2, 2)):
        px, py = _at(plot, area, x, y)
        c = max((pixels[round(py) + d, round(px) + 8][:3].astype(int) for d in (-1, 0, 1)),
                key=lambda p: int(p.max()) - int(p.min()))
        assert int(c.max()) - int(c.min()) > 40, (x, y, c)
        colors.append(tuple(int(v) for v in c))
    assert colors[0] != colors[1]
    labels = _hover(page, _at(plot, area, 2, 2))
    assert labels["side"] == "west"


def test_zooming_into_a_thinned_quiver_asks_again_for_the_views_own_arrows(
    server: ServerProcess, page: Page,
) -> None:
    plot = _open(page, server, "board")
    assert plot["datasets"][0]["reduced"] == "arrows"
    area = _area(page)
    # Thinned, the arrow near (50, 50) is a cell's mean: up and down cancel, or nearly.
    assert abs(float(_hover(page, _at(plot, area, 50, 50))["pv"])) < 1
    # Wheel in around (50, 50) until about ten arrows span the view.
    center = _at(plot, area, 50, 50)
    page.mouse.move(*center)
    for _ in range(12):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(60)
        view = page.evaluate("window.__streamvis.plots()[0].view")
        if view["x1"] - view["x0"] < 12:
            break
    assert view["x1"] - view["x0"] < 12, view
    # After the view settles, the view's rows come back one arrow per cell.
    wait_until(page, "window.__streamvis.plots()[0].datasets[0].reduced === 'none'")
    page.wait_for_timeout(400)
    plot = page.evaluate("window.__streamvis.plots()[0]")
    x0, y0 = int(view["x0"]) + 2, int(view["y0"]) + 2
    for x, y in ((x0, y0), (x0 + 1, y0)):
        labels = _hover(page, _at(plot, area, x, y))
        assert labels["pv"] == ("1" if (x + y) % 2 == 0 else "-1"), (x, y, labels)
    # Arrows all across the view, the left quarter as the right (colored: not the grid).
    pixels = png_pixels(page.screenshot()).astype(int)
    top, bottom = round(area["y"]), round(area["y"] + area["height"])
    for a, b in ((0.0, 0.25), (0.75, 1.0)):
        block = pixels[top:bottom, round(area["x"] + a * area["width"]):
                       round(area["x"] + b * area["width"]), :3]
        assert int(((block.max(axis=-1) - block.min(axis=-1)) > 40).sum()) > 100, (a, b)
    # Double-click: the whole field again, thinned.
    page.dblclick(".plot .area")
    wait_until(page, "window.__streamvis.plots()[0].datasets[0].reduced === 'arrows'")
