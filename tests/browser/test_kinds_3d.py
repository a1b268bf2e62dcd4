"""The 3-D kinds in the browser, each opened from its dashboard URL and checked on the
pixels of a screenshot: a 3-D scatter of three colored clusters draws each color where the
page's camera projects its cluster, and a mouse drag orbits them elsewhere; a surface of
z = x*y shows the color map's high end at the corners where x and y agree and its low end
where they differ. Both raster paths: the CPU rasterizer (chosen on software GL, as here)
and GL primitives (`&raster=gl`) on SwiftShader.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import _area, _open, png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

RASTERS = pytest.mark.parametrize("raster", ["", "&raster=gl"], ids=["cpu", "gl"])

#: Cluster centres, in order of first appearance: tab10's blue, orange and green.
CENTRES = {"a": (0.0, 0.0, 0.0), "b": (10.0, 10.0, 0.0), "c": (0.0, 10.0, 10.0)}
COLORS = {"a": (31, 119, 180), "b": (255, 127, 14), "c": (44, 160, 44)}
GRID = np.linspace(-1, 1, 21)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    rng = np.random.default_rng(5)
    with ServerProcess(str(tmp_path_factory.mktemp("kinds3d"))) as proc, Client(proc.uri) as c:
        for name, kind in (("px", "float"), ("py", "float"), ("pz", "float"),
                           ("cluster", "string")):
            c.create_field(name, kind)
        c.create_series("cloud", ["px", "py", "pz", "cluster"])
        c.create_series("height", ["px", "py", "pz"])
        run = c.create_run(tags=["3d"])
        for name, (x, y, z) in CENTRES.items():
            n = 400
            c.append(run.handle, "cloud", {
                "px": rng.normal(x, 0.25, n), "py": rng.normal(y, 0.25, n),
                "pz": rng.normal(z, 0.25, n), "cluster": np.array([name] * n)})
        gx, gy = np.meshgrid(GRID, GRID)
        c.append(run.handle, "height", {"px": gx.ravel(), "py": gy.ravel(),
                                         "pz": (gx * gy).ravel()})
        c.save_plot("cloud", {"kind": "scatter3d", "datasets": [{"series": "cloud", "bindings": {
            "x": "px", "y": "py", "z": "pz", "color": "cluster"}}]})
        c.save_plot("surface", {"kind": "surface", "datasets": [{"series": "height", "bindings": {
            "x": "px", "y": "py", "z": "pz"}}]})
        yield proc


def _where(page: Page, area: dict[str, float], p: tuple[float, float, float]) -> tuple[int, int]:
    """The page pixel where the page's camera draws data point p."""
    at = page.evaluate("([x, y, z]) => window.__streamvis.project3(0, x, y, z)", list(p))
    assert at is not None, f"{p} is in front of the eye"
    return round(area["x"] + at[0]), round(area["y"] + at[1])


def _nearest_color(pixel: np.ndarray) -> tuple[str, float]:
    """The cluster whose color the pixel is nearest, and how near (a GL point is drawn at
    85% over the background, so the match is close but not exact)."""
    dist = {k: float(np.abs(pixel - np.array(c)).sum()) for k, c in COLORS.items()}
    best = min(dist, key=lambda k: dist[k])
    return best, dist[best]


def _check_clusters(page: Page, area: dict[str, float]) -> dict[str, tuple[int, int]]:
    pixels = png_pixels(page.screenshot())
    where = {}
    for name, centre in CENTRES.items():
        x, y = _where(page, area, centre)
        assert area["x"] < x < area["x"] + area["width"]
        assert area["y"] < y < area["y"] + area["height"]
        # The centre pixel or one beside it (points are round, 3 px).
        found = [_nearest_color(pixels[y + dy, x + dx]) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        assert any(k == name and d < 90 for k, d in found), (name, found)
        where[name] = (x, y)
    return where


@RASTERS
def test_a_3d_scatter_draws_each_cluster_where_the_camera_projects_it_and_orbits(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "cloud" + raster)
    assert plot["kind"] == "scatter3d" and plot["camera"] is not None
    assert plot["datasets"][0]["points"] == 1_200
    area = _area(page)
    before = _check_clusters(page, area)
    # Far from every cluster the background shows (no cluster drawn at a wrong place).
    bg = png_pixels(page.screenshot())[round(area["y"] + 5), round(area["x"] + 5)]
    assert int(bg.max()) - int(bg.min()) < 40
    # Drag across the plot: the camera turns, and every cluster is drawn where it now projects.
    page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] / 2 + 120, area["y"] + area["height"] / 2 + 20,
                    steps=6)
    page.mouse.up()
    page.wait_for_timeout(300)
    camera = page.evaluate("window.__streamvis.plots()[0].camera")
    assert camera["yaw"] == pytest.approx(plot["camera"]["yaw"] - 1.2, abs=1e-6)
    after = _check_clusters(page, area)
    moved = max(np.hypot(after[k][0] - before[k][0], after[k][1] - before[k][1]) for k in CENTRES)
    assert moved > 30
    # The hover reads the nearest point's x, y and z.
    page.mouse.move(*after["b"])
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert hover["x"] == pytest.approx(10, abs=1) and hover["y"] == pytest.approx(10, abs=1)
    assert dict(hover["labels"])["pz"]
    assert "pz" in page.inner_text(".plot .tip")
    # Double-click returns the camera home.
    page.mouse.dblclick(area["x"] + 5, area["y"] + 5)
    page.wait_for_timeout(200)
    assert page.evaluate("window.__streamvis.plots()[0].camera") == plot["camera"]


@RASTERS
def test_a_surface_of_x_times_y_is_colored_high_where_x_and_y_agree(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    plot = _open(page, server, "surface" + raster)
    assert plot["datasets"][0]["reduced"] == "none"  # a full grid, passed as it is
    assert plot["legendBar"] == {"field": "pz", "min": -1, "max": 1}
    area = _area(page)
    # From the home view the far low corner hides behind the saddle's middle; the near
    # one and both high corners show. Seen from straight above, all four do.
    _check_corners(page, area, ((0.85, 0.85), (-0.85, -0.85), (0.85, -0.85)))
    page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2 + 250, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__streamvis.plots()[0].camera.pitch") > 1.5
    _check_corners(page, area, ((0.85, 0.85), (-0.85, -0.85), (0.85, -0.85), (-0.85, 0.85)))


def _check_corners(page: Page, area: dict[str, float],
                   corners: tuple[tuple[float, float], ...]) -> None:
    pixels = png_pixels(page.screenshot())
    for x, y in corners:
        px, py = _where(page, area, (x, y, x * y))
        r, g, b = (int(v) for v in pixels[py, px])
        if x * y > 0:  # viridis's yellow end, darkened at most 35% by the shading
            assert g - b > 60 and r > 90, (x, y, (r, g, b))
        else:  # its purple end
            assert b - g > 25, (x, y, (r, g, b))
    # Outside the surface, the background.
    r, g, b = (int(v) for v in pixels[round(area["y"] + 5), round(area["x"] + 5)])
    assert max(r, g, b) - min(r, g, b) < 40
    # Hovering a node reads out its x, y and z.
    page.mouse.move(*_where(page, area, (GRID[20], GRID[0], GRID[20] * GRID[0])))
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert (hover["x"], hover["y"], dict(hover["labels"])["pz"]) == (1, -1, "-1")


@pytest.fixture(scope="module")
def tetrahedron(server: ServerProcess) -> str:
    """A plot of one tetrahedron: a vertices dataset and a faces dataset of one run."""
    with Client(server.uri) as c:
        for name in ("i", "j", "k"):
            c.create_field(name, "int")
        c.create_series("verts", ["px", "py", "pz"])
        c.create_series("faces", ["i", "j", "k"])
        run = c.create_run(tags=["mesh"])
        c.append(run.handle, "verts", {"px": np.array([0.0, 1.0, 0.0, 0.0]),
                                       "py": np.array([0.0, 0.0, 1.0, 0.0]),
                                       "pz": np.array([0.0, 0.0, 0.0, 1.0])})
        c.append(run.handle, "faces", {"i": np.array([0, 0, 0, 1]), "j": np.array([1, 1, 2, 2]),
                                       "k": np.array([2, 3, 3, 3])})
        c.save_plot("tetra", {"kind": "mesh", "datasets": [
            {"series": "verts", "filter": {"tags_all": ["mesh"]},
             "bindings": {"x": "px", "y": "py", "z": "pz"}},
            {"series": "faces", "filter": {"tags_all": ["mesh"]},
             "bindings": {"i": "i", "j": "j", "k": "k"}}]})
    return "tetra"


@RASTERS
def test_a_mesh_of_one_tetrahedron_fills_its_faces_and_nothing_else(
    server: ServerProcess, tetrahedron: str, page: Page, raster: str,
) -> None:
    plot = _open(page, server, tetrahedron + raster)
    wait_until(page, "window.__streamvis.plots()[0].datasets.every((d) => d.loaded)")
    page.wait_for_timeout(300)
    assert plot["camera"] is not None
    area = _area(page)
    pixels = png_pixels(page.screenshot())
    corners = [_where(page, area, p) for p in ((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1))]
    # The centroid of each face is filled (the first color of the palette, shaded); the
    # point past the box's far top corner, outside every face, is not.
    centroid = np.mean(corners, axis=0)
    for face in ((0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)):
        fx, fy = np.mean([corners[v] for v in face], axis=0)
        # A face seen edge-on has no area: look at its centre's neighbourhood toward the middle.
        x, y = round(fx * 0.8 + centroid[0] * 0.2), round(fy * 0.8 + centroid[1] * 0.2)
        r, g, b = (int(v) for v in pixels[y, x])
        assert b - r > 40, (face, (r, g, b))  # tab10 blue, darkened by the slope
    outside = _where(page, area, (1, 1, 1))
    r, g, b = (int(v) for v in pixels[outside[1], outside[0]])
    assert max(r, g, b) - min(r, g, b) < 40
    # Hovering the apex reads out that vertex (row 3 of the vertices dataset).
    page.mouse.move(*corners[3])
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    hover: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0].hover")
    assert (hover["x"], hover["y"]) == (0, 0)
    assert dict(hover["labels"]) == {"pz": "1", "vertex": "3"}


def test_a_3d_scatter_draws_rows_that_land_while_it_is_open(server: ServerProcess,
                                                             page: Page) -> None:
    rng = np.random.default_rng(6)
    with Client(server.uri) as c:
        c.create_series("live3d", ["px", "py", "pz", "cluster"])
        run = c.create_run(tags=["live3d"])

        def cluster(name: str, centre: tuple[float, float, float]) -> None:
            c.append(run.handle, "live3d", {
                **{f: rng.normal(v, 0.25, 300) for f, v in zip(("px", "py", "pz"), centre,
                                                               strict=True)},
                "cluster": np.array([name] * 300)})

        cluster("a", CENTRES["a"])
        cluster("b", CENTRES["b"])
        c.save_plot("live3d", {"kind": "scatter3d", "datasets": [{
            "series": "live3d", "filter": {"tags_all": ["live3d"]},
            "bindings": {"x": "px", "y": "py", "z": "pz", "color": "cluster"}}]})
        _open(page, server, "live3d")
        area = _area(page)
        cluster("c", CENTRES["c"])
        wait_until(page, "window.__streamvis.plots()[0].datasets[0].points === 900", timeout=10)
        page.wait_for_timeout(600)  # the frame after the append
    # The new cluster widened the box (z now reaches 10): all three where they project.
    _check_clusters(page, area)


#: Unit vector from the box's centre toward the eye of the home camera (camera3d.ts HOME).
_YAW, _PITCH = -np.pi / 4 - 0.35, 0.5
TOWARD_EYE = np.array([np.cos(_PITCH) * np.cos(_YAW), np.cos(_PITCH) * np.sin(_YAW),
                       np.sin(_PITCH)])


@pytest.fixture(scope="module")
def depth_and_log(server: ServerProcess) -> None:
    """`depth`: a near and a far point on one line of sight (the near one logged first, so
    drawn first in row order), in a box fixed at [-1, 1]³ by two corner points. `decades`:
    points at x = 1, 10, 100 and 1000 on a log x axis."""
    with Client(server.uri) as c:
        c.create_field("which", "string")
        c.create_series("sight", ["px", "py", "pz", "which"])
        c.create_series("decades", ["px", "py", "pz"])
        run = c.create_run(tags=["depth"])
        near, far = 0.5 * TOWARD_EYE, -0.5 * TOWARD_EYE
        c.append(run.handle, "sight", {
            "px": np.array([near[0], far[0], -1.0, 1.0]),
            "py": np.array([near[1], far[1], -1.0, 1.0]),
            "pz": np.array([near[2], far[2], -1.0, 1.0]),
            "which": np.array(["near", "far", "box", "box"])})
        c.append(run.handle, "decades", {"px": np.array([1.0, 10.0, 100.0, 1000.0]),
                                          "py": np.zeros(4), "pz": np.zeros(4)})
        c.save_plot("sight", {"kind": "scatter3d", "datasets": [{"series": "sight", "bindings": {
            "x": "px", "y": "py", "z": "pz", "color": "which"}}]})
        c.save_plot("decades", {"kind": "scatter3d", "scales": {"x": "log"}, "datasets": [
            {"series": "decades", "bindings": {"x": "px", "y": "py", "z": "pz"}}]})


@RASTERS
@pytest.mark.usefixtures("depth_and_log")
def test_a_near_point_covers_a_far_one_drawn_after_it(
    server: ServerProcess, page: Page, raster: str,
) -> None:
    _open(page, server, "sight" + raster)
    area = _area(page)
    near, far = 0.5 * TOWARD_EYE, -0.5 * TOWARD_EYE
    at_near, at_far = _where(page, area, tuple(near)), _where(page, area, tuple(far))
    assert abs(at_near[0] - at_far[0]) <= 1 and abs(at_near[1] - at_far[1]) <= 1
    pixels = png_pixels(page.screenshot())
    r, g, b = (int(v) for v in pixels[at_near[1], at_near[0]][:3])
    # tab10 by first appearance: "near" blue (31, 119, 180), "far" orange (255, 127, 14).
    assert b - r > 80, (r, g, b)


@RASTERS
@pytest.mark.usefixtures("depth_and_log")
def test_a_log_x_axis_spaces_decades_evenly(server: ServerProcess, page: Page,
                                            raster: str) -> None:
    plot = _open(page, server, "decades" + raster)
    assert plot["camera"] is not None
    area = _area(page)
    at = [_where(page, area, (x, 0.0, 0.0)) for x in (1.0, 10.0, 100.0, 1000.0)]
    steps = [float(np.hypot(q[0] - p[0], q[1] - p[1])) for p, q in itertools.pairwise(at)]
    # Equal steps in the box; on screen only the perspective makes them differ.
    assert min(steps) > 40 and max(steps) / min(steps) < 1.6, steps
    pixels = png_pixels(page.screenshot())
    for x, y in at:  # each point drawn where the log axis puts it
        r, g, b = (int(v) for v in pixels[y, x][:3])
        assert max(r, g, b) - min(r, g, b) > 40, (x, y, (r, g, b))
    page.mouse.move(*at[3])
    wait_until(page, "window.__streamvis.plots()[0].hover !== null", timeout=5)
    assert page.evaluate("window.__streamvis.plots()[0].hover.x") == 1000
