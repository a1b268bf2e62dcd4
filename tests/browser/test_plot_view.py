"""One plot's view in the browser: the hover read-out follows a wheel zoom (the point under
a pointer that holds still is found again at the new scale), and a log axis spanning about
a decade labels more than its one power of ten.

Positions are computed here from the view the page reports (`window.__streamvis.plots()`)
and the data area's place on the page; tick labels are the texts the page draws on the
plot's overlay canvas, recorded by an init script.
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

if TYPE_CHECKING:
    from playwright.sync_api import Page

N = 20
XS = np.arange(N)
#: 3 to 40, evenly spaced on a log axis: about a decade and an eighth.
YS = 3 * (40 / 3) ** (XS / (N - 1))
#: 0.2 to 0.9: less than a decade.
ZS = np.linspace(0.2, 0.9, N)
#: The controller's hover radius: farther than this from every point, nothing is hovered.
HOVER_RADIUS = 40

#: Keeps, per 2D context, the texts drawn since the canvas was last cleared whole (axes.ts
#: clears the overlay before painting it). Init scripts are not subject to the page's CSP.
RECORD_LABELS = """
(() => {
  const P = CanvasRenderingContext2D.prototype;
  const clear = P.clearRect;
  const fill = P.fillText;
  P.clearRect = function (x, y, w, h) {
    if (x === 0 && y === 0) this.__labels = [];
    return clear.call(this, x, y, w, h);
  };
  P.fillText = function (text, x, y, ...rest) {
    (this.__labels ??= []).push({ text: String(text), align: this.textAlign });
    return fill.call(this, text, x, y, ...rest);
  };
})();
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("view"))) as proc, Client(proc.uri) as client:
        for name, kind in (("step", "int"), ("value", "float"), ("share", "float")):
            client.create_field(name, kind)
        client.create_series("curve", ["step", "value", "share"])
        client.create_series("growing", ["step", "value"])
        run = client.create_run(tags=["view"])
        client.append(run.handle, "curve", {"step": XS, "value": YS, "share": ZS})
        for name, kind, y, scale in (("points", "scatter", "value", "lin"),
                                     ("about-a-decade", "line", "value", "log"),
                                     ("under-a-decade", "line", "share", "log")):
            client.save_plot(name, {"kind": kind, "scales": {"x": "lin", "y": scale}, "datasets": [
                {"series": "curve", "bindings": {"x": "step", "y": y}}]})
        yield proc


def _open(page: Page, server: ServerProcess, rows: str, plots: int) -> None:
    page.goto(f"{server.web_url}?rows={rows}")
    wait_until(page, f"(() => {{ const p = window.__streamvis.plots(); return p.length === {plots}"
                     " && p.every(x => x.firstFullRenderAt !== null); })()")


def _plot(page: Page, index: int = 0) -> dict[str, Any]:
    plot: dict[str, Any] = page.evaluate(f"window.__streamvis.plots()[{index}]")
    return plot


Box = dict[str, float]
Points = tuple[np.ndarray, np.ndarray]


def _area(page: Page) -> Box:
    """The data area's box on the page: the plot's WebGL canvas, inside the axes' margins."""
    element = page.query_selector(".plot .area")
    box = element.bounding_box() if element else None
    assert box is not None
    return {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}


def _screen(view: Box, area: Box, x: float, y: float) -> tuple[float, float]:
    """Where the data point (x, y) is on a linear plot, in CSS pixels of the page."""
    fx = (x - view["x0"]) / (view["x1"] - view["x0"])
    fy = (y - view["y0"]) / (view["y1"] - view["y0"])
    return area["x"] + fx * area["width"], area["y"] + area["height"] - fy * area["height"]


def _nearest(view: Box, area: Box, pointer: tuple[float, float], points: Points) -> int | None:
    """The index of the point the pointer hovers, None beyond the hover radius."""
    xs, ys = points
    dist = [math.dist(pointer, _screen(view, area, float(x), float(y)))
            for x, y in zip(xs, ys, strict=True)]
    best = int(np.argmin(dist))
    return best if dist[best] <= HOVER_RADIUS else None


def _wait_hover_on(page: Page, area: Box, index: int, points: Points) -> tuple[float, float]:
    """Waits (briefly: a frame or two) for the hover to be point `index` where the page's view
    now draws it; returns that place on the page."""
    view = _plot(page)["view"]
    ex, ey = _screen(view, area, float(points[0][index]), float(points[1][index]))
    wait_until(page, f"(() => {{ const h = window.__streamvis.plots()[0].hover;"
                     f" return h !== null && h.x === {points[0][index]}"
                     f" && Math.abs(h.px - {ex - area['x']}) < 0.5"
                     f" && Math.abs(h.py - {ey - area['y']}) < 0.5; }})()", timeout=3)
    return ex, ey


def test_the_hover_follows_a_wheel_zoom(server: ServerProcess, page: Page) -> None:
    _open(page, server, "points", 1)
    area = _area(page)
    view = _plot(page)["view"]
    # The pointer a little off point 10, so zooming around the pointer moves the point away.
    px, py = _screen(view, area, 10, float(YS[10]))
    mx, my = px + 12, py + 6
    page.mouse.move(mx, my)
    wait_until(page, "window.__streamvis.plots()[0].hover !== null")
    assert _plot(page)["hover"]["x"] == 10
    seen: set[int | None] = set()
    for _ in range(4):
        before = view
        page.mouse.wheel(0, -300)  # one notch in: the view shrinks around the pointer
        wait_until(page, f"window.__streamvis.plots()[0].view.x0 !== {before['x0']}")
        view = _plot(page)["view"]
        expected = _nearest(view, area, (mx, my), (XS, YS))
        seen.add(expected)
        if expected is None:
            wait_until(page, "window.__streamvis.plots()[0].hover === null"
                             " && !document.querySelector('.plot .tip')", timeout=3)
            continue
        # The marker is drawn at the hover's position; the tip is placed from it too.
        ex, ey = _wait_hover_on(page, area, expected, (XS, YS))
        assert _plot(page)["hover"]["y"] == pytest.approx(float(YS[expected]))
        tip = page.query_selector(".plot .tip")
        assert tip is not None
        assert f"step {expected}" in tip.inner_text()
        box = tip.bounding_box()
        assert box is not None
        assert abs(box["x"] - (ex + 12)) < 1.5 and abs(box["y"] - (ey + 12)) < 1.5
    # Zooming in moved point 10 out of reach: the hover went with it.
    assert seen == {10, None}


def test_the_hover_follows_live_data_that_moves_the_axes(server: ServerProcess, page: Page) -> None:
    with Client(server.uri) as client:
        run = client.create_run(tags=["growing"])
        client.append(run.handle, "growing", {"step": XS, "value": YS})
        client.save_plot("growing", {"kind": "scatter", "datasets": [
            {"series": "growing", "bindings": {"x": "step", "y": "value"}}]})
        _open(page, server, "growing", 1)
        area = _area(page)
        view = _plot(page)["view"]
        px, py = _screen(view, area, 10, float(YS[10]))
        mx, my = px, py
        page.mouse.move(mx, my)
        wait_until(page, "window.__streamvis.plots()[0].hover?.x === 10")
        # As many steps again, level with point 10: the plot follows the data, so x's range
        # doubles, point 10 moves off to the left and a new one comes under the pointer.
        more, level = np.arange(N, 2 * N), np.full(N, YS[10])
        client.append(run.handle, "growing", {"step": more, "value": level})
        wait_until(page, f"window.__streamvis.plots()[0].datasets[0].points === {2 * N}")
    points = (np.append(XS, more), np.append(YS, level))
    wait_until(page, f"window.__streamvis.plots()[0].view.x0 !== {view['x0']}")
    expected = _nearest(_plot(page)["view"], area, (mx, my), points)
    assert expected is not None and expected != 10  # the pointer is over another point now
    _wait_hover_on(page, area, expected, points)


def _y_labels(page: Page, index: int) -> list[str]:
    """The y tick labels the page drew last on plot `index` (right-aligned texts: axes.ts)."""
    # Two frames, so what was recorded is a whole overlay drawn after the data arrived.
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    labels: list[str] = page.evaluate(
        f"document.querySelectorAll('.plot .overlay')[{index}].getContext('2d').__labels"
        ".filter((l) => l.align === 'right').map((l) => l.text)")
    return labels


def test_a_log_axis_over_about_a_decade_labels_its_ticks(server: ServerProcess, page: Page) -> None:
    page.context.add_init_script(RECORD_LABELS)
    _open(page, server, "about-a-decade,under-a-decade", 2)
    assert all(p["view"]["logY"] for p in page.evaluate("window.__streamvis.plots()"))
    # 3 to 40 (2.6 to 46 with the view's margin): 10 alone once; now 2 and 5 times it too.
    assert _y_labels(page, 0) == ["5", "10", "20"]
    # 0.2 to 0.9: no power of ten, so evenly spaced values, all inside the range.
    labels = _y_labels(page, 1)
    assert len(labels) >= 3
    assert all(0.18 <= float(t) <= 0.98 for t in labels)
