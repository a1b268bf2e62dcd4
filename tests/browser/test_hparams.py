"""The hyperparameter views and the duration column, in a browser against a real server:
the compare page's parallel coordinates draw one polyline per run through each axis at
the run's value (and a brush on an axis keeps the lines inside it), its scatter of an
attribute against a metric summary paints each run's point where its values put it, and
the run search and compare tables say how long each run ran."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

T0 = 1_700_000_000.0
#: Per run: lr, optimizer, the lowest loss, how long it ran (seconds).
RUNS = ((0.001, "adam", 1.0, 60.0), (0.01, "sgd", 2.0, 125.0), (0.1, "adam", 3.0, 3700.0))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, list[str]]]:
    with ServerProcess(str(tmp_path_factory.mktemp("hparams"))) as proc, \
            Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("loss", "float"), ("lr", "float"),
                           ("optimizer", "string")):
            c.create_field(name, kind)
        c.create_series("train", ["step", "loss"])
        handles = []
        for i, (lr, opt, low, ran) in enumerate(RUNS):
            started = T0 + i
            run = c.create_run(tags=["hp"], attributes={"lr": lr, "optimizer": opt},
                               started_at=started)
            steps = np.arange(5)
            c.append(run.handle, "train", {
                "step": steps, "loss": low + (4 - steps) * 0.5,
                "_time": started + np.linspace(0, ran, 5)})
            handles.append(str(run.handle))
        yield proc, handles


def _lines(page: Page) -> list[dict[str, Any]]:
    return list(page.eval_on_selector_all(
        "[data-view=parallel] polyline.line",
        "ls => ls.map(l => ({run: l.dataset.run, stroke: l.getAttribute('stroke'), "
        "points: l.getAttribute('points').split(' ').map(p => p.split(',').map(Number))}))"))


def _axis_ends(page: Page, field: str) -> tuple[float, float, float]:
    """An axis' x and the y of its top and bottom, in the SVG's pixels."""
    line = page.query_selector(f"[data-view=parallel] g.axis[data-field='{field}'] > line")
    assert line is not None
    get = line.get_attribute
    return float(get("x1") or 0), float(get("y1") or 0), float(get("y2") or 0)


def _rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in css[css.index("(") + 1:css.index(")")].split(","))
    return r, g, b


def test_parallel_coordinates_draw_a_polyline_per_run_at_its_values(world, page: Page):
    server, handles = world
    page.goto(f"{server.web_url.rstrip('/')}/compare?runs={','.join(handles)}")
    page.wait_for_selector("[data-view=parallel] polyline.line", state="attached")
    wait_until(page, "document.querySelectorAll('[data-view=parallel] polyline.line')"
                     ".length === 3")
    lines = {line["run"]: line for line in _lines(page)}
    assert sorted(lines) == sorted(handles)
    dims = page.eval_on_selector_all("[data-view=parallel] g.axis",
                                     "gs => gs.map(g => g.dataset.field)")
    assert dims == ["attr.lr", "attr.optimizer", "min.loss"]
    for k, field in enumerate(dims):
        x, top, bottom = _axis_ends(page, field)
        for h, (lr, opt, low, _) in zip(handles, RUNS, strict=True):
            px, py = lines[h]["points"][k]
            assert px == pytest.approx(x, abs=0.1)
            # lr spans 0.001..0.1 linearly, optimizer's two values bottom (adam) and top
            # (sgd), min.loss 1..3.
            t = {"attr.lr": (lr - 0.001) / 0.099, "attr.optimizer": 1.0 if opt == "sgd" else 0.0,
                 "min.loss": (low - 1) / 2}[field]
            assert py == pytest.approx(bottom - t * (bottom - top), abs=0.2), (field, h)
    # Pixels: the middle of each line's last segment has the line's color (by min.loss).
    svg = page.query_selector("[data-view=parallel] svg")
    assert svg is not None
    pixels = png_pixels(svg.screenshot())
    for h in handles:
        (x1, y1), (x2, y2) = lines[h]["points"][1:]
        row, col = round((y1 + y2) / 2), round((x1 + x2) / 2)
        # The nearest pixel within 2 px: a sloped 2 px line covers the midpoint's pixel
        # only in part, blended with the white.
        near = pixels[row - 2:row + 3, col - 2:col + 3].reshape(-1, 3)
        want = np.array(_rgb(lines[h]["stroke"]))
        assert int(np.abs(near - want).max(axis=-1).min()) < 40, (h, want)
    # A brush over min.loss' top quarter (from just past its end) keeps only the run whose
    # lowest loss is 3.
    x, top, bottom = _axis_ends(page, "min.loss")
    box = svg.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + x, box["y"] + top - 4)
    page.mouse.down()
    page.mouse.move(box["x"] + x, box["y"] + top + (bottom - top) / 4, steps=5)
    page.mouse.up()
    wait_until(page, "document.querySelector('.parallel-plot').dataset.kept === '1'")
    kept = [line["run"] for line in _lines(page) if line["stroke"] != "#ddd"]
    assert kept == [handles[2]]


def test_the_scatter_of_an_attribute_against_a_summary_puts_each_run_at_its_values(
        world, page: Page):
    server, handles = world
    page.goto(f"{server.web_url.rstrip('/')}/compare?runs={','.join(handles)}")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 1"
                     " && p[0].firstFullRenderAt !== null && p[0].datasets[0].loaded; })()")
    page.wait_for_timeout(300)
    plot: dict[str, Any] = page.evaluate("window.__streamvis.plots()[0]")
    assert plot["kind"] == "scatter" and plot["datasets"][0]["error"] is None
    assert sorted(plot["datasets"][0]["runs"]) == sorted(handles)
    view = plot["view"]
    assert view["logX"]  # lr spans two decades
    area = page.query_selector("[data-view=scatter] .plot .area")
    box = area.bounding_box() if area else None
    assert box is not None
    pixels = png_pixels(page.screenshot())
    for lr, _, low, _ in RUNS:
        fx = (math.log10(lr) - view["x0"]) / (view["x1"] - view["x0"])
        fy = (low - view["y0"]) / (view["y1"] - view["y0"])
        px, py = box["x"] + fx * box["width"], box["y"] + (1 - fy) * box["height"]
        r, g, b = (int(v) for v in pixels[round(py), round(px)])
        assert max(r, g, b) - min(r, g, b) > 40, (lr, low, (r, g, b))  # a colored point
        # Half way to the next run's x there is no point.
        r, g, b = (int(v) for v in pixels[round(py), round(px + box["width"] * 0.2)]
                   ) if fx < 0.7 else (255, 255, 255)
        assert max(r, g, b) - min(r, g, b) <= 40


def test_the_duration_column_says_how_long_each_run_ran(world, page: Page):
    server, handles = world
    page.goto(f"{server.web_url.rstrip('/')}/runs")
    wait_until(page, "document.querySelectorAll('.row [data-duration]').length === 3"
                     " && [...document.querySelectorAll('.row [data-duration]')]"
                     ".every(e => e.dataset.duration !== '')")
    shown = {h: page.inner_text(f".row[data-run='{h}'] [data-duration]").strip()
             for h in handles}
    assert shown == dict(zip(handles, ["1 min 00 s", "2 min 05 s", "1 h 01 min"], strict=True))
    page.goto(f"{server.web_url.rstrip('/')}/compare?runs={','.join(handles)}")
    wait_until(page, "[...document.querySelectorAll('[data-testid=compare-duration] td')]"
                     ".map(t => t.dataset.duration).join(',') === '60,125,3700'", timeout=10)
