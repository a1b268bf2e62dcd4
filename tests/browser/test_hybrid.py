"""A hybrid plot: a second dataset (another series) on its own y axis at the right, which
pans and zooms on its own."""

from __future__ import annotations

import json
from urllib.parse import quote

from .explore_fixtures import Site, site_fixture, wait_until  # noqa: F401 -- fixture `site`


def test_a_second_dataset_on_a_split_y_axis(site: Site, page) -> None:
    page.goto(f"{site.url}/build?filter={quote(json.dumps({'tags_any': ['baseline']}))}")
    page.select_option("select[aria-label='series of dataset 1']", "train")
    page.select_option("select[aria-label='bind x']", "step")
    page.select_option("select[aria-label='bind y']", "loss")
    page.click("button:has-text('Add a dataset')")
    page.select_option("select[aria-label='series of dataset 2']", "eval")
    page.wait_for_selector("[data-dataset='1'] .count")
    page.select_option("[data-dataset='1'] select[aria-label='bind x']", "step")
    page.select_option("[data-dataset='1'] select[aria-label='bind y']", "accuracy")
    assert page.input_value("select[aria-label='y axis of dataset 2']") == "y2"
    wait_until(
        page,         "(() => { const p = window.__streamvis.plots()[0];"
        " return p && p.hasY2 && p.datasets.length === 2 && p.datasets.every(d => d.loaded); })()")
    plot = page.evaluate("window.__streamvis.plots()[0]")
    assert [d["axes"] for d in plot["datasets"]] == [{"x": "x", "y": "y"}, {"x": "x", "y": "y2"}]
    # Loss (about 0.1 to 2.8) on the left, accuracy (about 0.1 to 1) on the right.
    assert plot["view"]["y1"] > 2.0
    assert 0.5 < plot["second"]["y1"] < 1.5
    # The wheel over the right axis zooms y2 only.
    box = page.query_selector(".plot .body").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 30, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    wait_until(page, "!window.__streamvis.plots()[0].auto")
    after = page.evaluate("window.__streamvis.plots()[0]")
    assert after["view"]["y0"] == plot["view"]["y0"] and after["view"]["y1"] == plot["view"]["y1"]
    span = plot["second"]["y1"] - plot["second"]["y0"]
    assert after["second"]["y1"] - after["second"]["y0"] < span
    # Saved, it opens the same way on a dashboard.
    page.fill("input[aria-label='plot name']", "loss-and-accuracy")
    page.click("button:has-text('Save plot')")
    page.wait_for_selector("[role=status]:has-text('saved plot')")
    page.goto(f"{site.url}/?rows=loss-and-accuracy")
    wait_until(
        page,         "(() => { const p = window.__streamvis.plots()[0];"
        " return p && p.hasY2 && p.datasets.every(d => d.loaded); })()")


def test_opening_and_saving_a_hybrid_plot_keeps_each_datasets_runs(site: Site, page) -> None:
    """Dataset 2 filters other runs than dataset 1: the builder shows that, draws them, and
    saving the plot unchanged stores the same spec (it once took dataset 1's filter)."""
    spec = {
        "kind": "line",
        "datasets": [
            {"series": "train", "filter": {"tags_any": ["baseline"]},
             "bindings": {"x": "step", "y": "loss"}},
            {"series": "eval", "filter": {"tags_any": ["broken"]},
             "bindings": {"x": "step", "y": "accuracy"}, "axes": {"x": "x", "y": "y2"}},
        ],
        "scales": {"x": "lin", "y": "lin", "y2": "lin"},
    }
    assert site.http.put("/api/plots/two-filters", json=spec).status_code < 300
    stored = site.http.get("/api/plots/two-filters").json()
    baseline = {str(h) for h in site.sweep.runs if "baseline" in site.sweep.tags[h]}
    broken = {str(h) for h in site.sweep.runs if "broken" in site.sweep.tags[h]}
    assert baseline != broken

    loaded = ("(() => { const p = window.__streamvis.plots()[0];"
              " return p && p.datasets.length === 2 && p.datasets.every(d => d.loaded); })()")
    page.goto(f"{site.url}/build?plot=two-filters")
    page.wait_for_selector("[data-dataset='1'] .count")
    wait_until(page, loaded)
    page.click("button:has-text('Save plot')")
    page.wait_for_selector("[role=status]:has-text('saved plot \"two-filters\"')")
    assert site.http.get("/api/plots/two-filters").json() == stored
    # The preview draws each dataset's own runs: one line per run.
    wait_until(page, loaded)
    shown = page.evaluate("window.__streamvis.plots()[0]")
    assert [set(d["runs"]) for d in shown["datasets"]] == [baseline, broken]
    assert [d["lines"] for d in shown["datasets"]] == [len(baseline), len(broken)]
    # The builder says where dataset 2's runs come from.
    assert not page.is_checked("[data-dataset='1'] label:has-text('same runs') input")
    assert page.input_value("input[aria-label='runs of dataset 2']") == "any=broken"


def test_a_dataset_of_runs_picked_by_handle_keeps_them(site: Site, page) -> None:
    """A filter no search link can say (a list of handles) is kept as it is, and said so."""
    picked = [str(h) for h in site.sweep.runs[1:4]]
    spec = {
        "kind": "line",
        "datasets": [
            {"series": "train", "filter": {"tags_any": ["baseline"]},
             "bindings": {"x": "step", "y": "loss"}},
            {"series": "train", "filter": {"handles": picked},
             "bindings": {"x": "step", "y": "loss"}},
        ],
        "scales": {"x": "lin", "y": "lin"},
    }
    assert site.http.put("/api/plots/by-handle", json=spec).status_code < 300
    stored = site.http.get("/api/plots/by-handle").json()
    page.goto(f"{site.url}/build?plot=by-handle")
    page.wait_for_selector("[data-dataset='1'] :text('3 runs picked by handle')")
    assert page.input_value("input[aria-label='runs of dataset 2']") == ""
    page.click("button:has-text('Save plot')")
    page.wait_for_selector("[role=status]:has-text('saved plot \"by-handle\"')")
    assert site.http.get("/api/plots/by-handle").json() == stored
