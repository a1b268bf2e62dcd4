"""Facet panels share their scales: a plot saved with one panel per optimizer and color
bound to the float attribute lr opens with every panel on the same x and y ranges and the
same color domain, the overall extent of the data; zooming one panel moves only it, a
double-click brings it back to the shared range, and live rows that widen one panel's
data widen every panel's range."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest

import streamvis
from streamvis.client import Client

from .explore_data import OPTIMIZERS
from .explore_fixtures import Site, site_fixture, wait_until  # noqa: F401 -- fixture `site`
from .test_kinds import png_pixels

PANELS_LOADED = (
    "(() => { const ps = window.__streamvis.plots();"
    f" return ps.length === {len(OPTIMIZERS)} && ps.every(p => p.datasets[0].loaded); }})()"
)


def _save_facet_plot(site: Site, page: Any, name: str) -> None:
    page.goto(f"{site.url}/build?filter={quote(json.dumps({'tags_any': ['baseline']}))}")
    page.select_option("select[aria-label='series of dataset 1']", "train")
    page.wait_for_selector(".count")
    page.check("[data-dataset='0'] .picks label:has-text('lr') input")
    page.check("[data-dataset='0'] .picks label:has-text('optimizer') input")
    page.select_option("select[aria-label='bind x']", "step")
    page.select_option("select[aria-label='bind y']", "loss")
    page.select_option("select[aria-label='bind color']", "lr")
    page.select_option("select[aria-label='bind facet']", "optimizer")
    page.fill("input[aria-label='plot name']", name)
    page.click("button:has-text('Save plot')")
    page.wait_for_selector(f"[role=status]:has-text('saved plot \"{name}\"')")


def _padded(lo: float, hi: float, frac: float) -> tuple[float, float]:
    """The auto range of data from lo to hi (viewState.ts fitView)."""
    d = (hi - lo) * frac
    return lo - d, hi + d


def test_facet_panels_share_axis_ranges_and_color_domain(site: Site, page) -> None:
    _save_facet_plot(site, page, "loss-by-optimizer")
    spec = site.http.get("/api/plots/loss-by-optimizer").json()
    assert spec["datasets"][0]["bindings"]["facet"] == "optimizer"
    assert spec["datasets"][0]["bindings"]["color"] == "lr"

    baseline = [h for h in site.sweep.runs if "baseline" in site.sweep.tags[h]]
    lrs = [float(site.sweep.attributes[h]["lr"]) for h in baseline]  # type: ignore[arg-type]
    with streamvis.connect(site.server.uri) as sv:
        loss = sv.fetch("train", ["loss"], runs=sv.runs(tags_any="baseline"))["loss"]
        losses = [float(v) for v in loss.to_pylist()]

    page.goto(f"{site.url}/?rows=loss-by-optimizer")
    wait_until(page, PANELS_LOADED)
    panels: list[dict[str, Any]] = page.evaluate("window.__streamvis.plots()")
    assert sorted(p["title"] for p in panels) == sorted(f"optimizer = {o}" for o in OPTIMIZERS)
    assert all(p["shared"] and p["auto"] for p in panels)
    # Without sharing each panel would show its own runs' ranges, which differ.
    own_colors = {tuple(p["datasets"][0]["ownColorDomain"]) for p in panels}
    extents: list[dict[str, Any]] = page.evaluate("window.__streamvis.extents()")
    own_y = {tuple(e["y"]) for e in extents}
    assert len(own_colors) > 1 and len(own_y) > 1

    first = panels[0]
    for p in panels[1:]:
        assert p["view"] == first["view"]
        assert p["datasets"][0]["colorDomain"] == first["datasets"][0]["colorDomain"]
        assert p["legendBar"] == first["legendBar"]
    assert first["datasets"][0]["colorDomain"] == pytest.approx([min(lrs), max(lrs)], rel=1e-12)
    assert first["legendBar"]["field"] == "lr"
    assert [first["legendBar"]["min"], first["legendBar"]["max"]] == pytest.approx(
        [min(lrs), max(lrs)], rel=1e-12)
    y0, y1 = _padded(min(losses), max(losses), 0.05)
    assert [first["view"]["y0"], first["view"]["y1"]] == pytest.approx([y0, y1], rel=1e-9)
    x0, x1 = _padded(0, 1190, 0.01)
    assert [first["view"]["x0"], first["view"]["x1"]] == pytest.approx([x0, x1], rel=1e-9)
    bars = page.eval_on_selector_all(
        ".legend .bar", "els => els.map(e => e.textContent.replace(/\\s+/g, ' ').trim())")
    assert len(bars) == len(OPTIMIZERS) and len(set(bars)) == 1

    # Zooming one panel moves only that panel; a double-click returns it to the shared range.
    body = page.query_selector_all(".cell .plot .body")[0].bounding_box()
    page.mouse.move(body["x"] + body["width"] / 2, body["y"] + body["height"] / 2)
    page.mouse.wheel(0, -400)
    wait_until(page, "window.__streamvis.plots().some(p => !p.auto)")
    zoomed: list[dict[str, Any]] = page.evaluate("window.__streamvis.plots()")
    moved = [p for p in zoomed if not p["auto"]]
    assert len(moved) == 1
    assert moved[0]["view"]["y1"] - moved[0]["view"]["y0"] < y1 - y0
    assert all(p["view"] == first["view"] for p in zoomed if p["auto"])
    page.mouse.dblclick(body["x"] + body["width"] / 2, body["y"] + body["height"] / 2)
    wait_until(page, "window.__streamvis.plots().every(p => p.auto)")
    reset: list[dict[str, Any]] = page.evaluate("window.__streamvis.plots()")
    assert all(p["view"] == first["view"] for p in reset)

    # A live row far outside every panel's data: all panels follow, not only its own.
    run = baseline[0]
    with Client(site.server.uri) as client:
        client.append(run, "train", {"step": np.array([1500]), "loss": np.array([6.0]),
                                     "tokens": np.array([0.0])})
    wait_until(page, "window.__streamvis.plots().every(p => p.view.y1 > 6 && p.view.x1 > 1500)")
    live: list[dict[str, Any]] = page.evaluate("window.__streamvis.plots()")
    assert all(p["view"] == live[0]["view"] for p in live)
    own_panel = f"optimizer = {site.sweep.attributes[run]['optimizer']}"
    extents = page.evaluate("window.__streamvis.extents()")
    others = [e for p, e in zip(live, extents, strict=True) if p["title"] != own_panel]
    assert len(others) == len(OPTIMIZERS) - 1
    assert all(e["y"][1] < 6 for e in others)


def test_a_facet_grid_downloads_as_one_png_of_what_its_panels_show(site: Site, page) -> None:
    _save_facet_plot(site, page, "grid-png")
    page.goto(f"{site.url}/?rows=grid-png")
    wait_until(page, PANELS_LOADED)
    page.wait_for_timeout(300)  # the last frame composited
    grid = page.query_selector(".facets")
    assert grid is not None
    box = grid.bounding_box()
    assert box is not None
    with page.expect_download() as info:
        page.click("button[aria-label='download PNG of the grid']")
    download = info.value
    shot = png_pixels(page.screenshot())
    assert download.suggested_filename == "grid-png.png"
    pixels = png_pixels(Path(download.path()).read_bytes())
    assert pixels.shape[:2] == (round(box["height"]), round(box["width"]))
    areas = [a.bounding_box() for a in page.query_selector_all(".facets .cell .plot .area")]
    assert len(areas) == len(OPTIMIZERS)
    for a in areas:
        assert a is not None
        x, y = round(a["x"] - box["x"]), round(a["y"] - box["y"])
        w, h = round(a["width"]), round(a["height"])
        seen = shot[round(a["y"]):round(a["y"]) + h, round(a["x"]):round(a["x"]) + w, :3]
        drawn = (seen.max(axis=-1) - seen.min(axis=-1)) > 60  # the lines (colored by lr)
        assert drawn.sum() > 100, "the panel shows lines"
        # The panel's lines in its box of the PNG: about as many line pixels as on screen.
        mine = pixels[y:y + h, x:x + w, :3].astype(int)
        lines = (mine.max(axis=-1) - mine.min(axis=-1)) > 60
        assert abs(int(lines.sum()) - int(drawn.sum())) < 0.35 * drawn.sum()
    title = page.query_selector(".facets > .head .title")
    assert title is None or pixels[:20].min() < 128  # the title's text is painted
