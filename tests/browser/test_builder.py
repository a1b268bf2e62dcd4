"""The plot builder against a real server: the dataset's row count, a binding refused with
its reason, saving a plot and opening it again (alone, in the builder, on a dashboard),
and the Dashboards page following plots and dashboards saved elsewhere, live."""

from __future__ import annotations

import json
from urllib.parse import quote

from streamvis.client import Client

from .explore_fixtures import Site, site_fixture, wait_until  # noqa: F401 -- fixture `site`


def _start(site: Site, page, run_filter: dict[str, object]) -> None:
    page.goto(f"{site.url}/build?filter={quote(json.dumps(run_filter))}")
    page.select_option("select[aria-label='series of dataset 1']", "train")
    page.wait_for_selector(".count")


def test_row_count_and_a_refused_binding(site: Site, page) -> None:
    _start(site, page, {"tags_any": ["baseline"]})
    baseline = [h for h in site.sweep.runs if "baseline" in site.sweep.tags[h]]
    assert page.get_attribute(".count", "data-rows") == str(120 * len(baseline))
    # Picking the series bound x to its step and y to its first float.
    assert page.input_value("select[aria-label='bind x']") == "step"
    assert page.input_value("select[aria-label='bind y']") == "loss"
    page.check("[data-dataset='0'] .picks label:has-text('optimizer') input")
    page.select_option("select[aria-label='bind y']", "optimizer")
    reason = page.inner_text(".refusal[data-role=y]")
    assert '"optimizer" is string' in reason and "needs numbers" in reason
    assert page.input_value("select[aria-label='bind y']") == "loss"  # the binding it had
    # A field the type rule accepts is bound, and the reason goes.
    page.select_option("select[aria-label='bind y']", "loss")
    assert page.query_selector(".refusal[data-role=y]") is None
    page.select_option("select[aria-label='bind group']", "loss")
    assert "discrete values" in page.inner_text(".refusal[data-role=group]")


def test_save_and_reopen_a_plot(site: Site, page) -> None:
    _start(site, page, {"tags_any": ["baseline"]})
    page.check("[data-dataset='0'] .picks label:has-text('lr') input")
    page.select_option("select[aria-label='bind x']", "step")
    page.select_option("select[aria-label='bind y']", "loss")
    page.select_option("select[aria-label='bind color']", "lr")
    page.select_option("select[aria-label='y scale']", "log")
    page.fill("input[aria-label='plot name']", "baseline-loss")
    page.click("button:has-text('Save plot')")
    page.wait_for_selector("[role=status]:has-text('saved plot \"baseline-loss\"')")
    spec = site.http.get("/api/plots/baseline-loss").json()
    assert spec["datasets"][0]["bindings"] == {"x": "step", "y": "loss", "color": "lr"}
    assert spec["scales"]["y"] == "log"
    baseline = {h for h in site.sweep.runs if "baseline" in site.sweep.tags[h]}
    page.goto(f"{site.url}/?rows=baseline-loss")
    wait_until(page, "window.__streamvis.plots().length === 1"
                           " && window.__streamvis.plots()[0].datasets[0].loaded")
    shown = page.evaluate("window.__streamvis.plots()[0]")
    assert set(shown["datasets"][0]["runs"]) == {str(h) for h in baseline}
    assert shown["view"]["logY"] is True
    # Back in the builder, the saved bindings are there to edit.
    page.goto(f"{site.url}/build?plot=baseline-loss")
    wait_until(
        page,         "document.querySelector(\"select[aria-label='bind color']\")?.value === 'lr'")
    assert page.input_value("select[aria-label='bind y']") == "loss"


def test_a_dashboard_of_saved_plots(site: Site, page) -> None:
    for name, y in (("dash-loss", "loss"), ("dash-tokens", "tokens")):
        site.http.put(f"/api/plots/{name}", json={
            "kind": "line", "datasets": [{"series": "train", "filter": {"tags_any": ["baseline"]},
                                          "bindings": {"x": "step", "y": y}}]})
    page.goto(f"{site.url}/dashboards")
    page.select_option("select[aria-label='add a plot to row 1']", "dash-loss")
    page.select_option("select[aria-label='add a plot to row 1']", "dash-tokens")
    page.click("button:has-text('Add a row')")
    page.select_option("select[aria-label='add a plot to row 2']", "dash-loss")
    page.fill("input[aria-label='dashboard name']", "overview")
    page.click("button:has-text('Save dashboard')")
    page.wait_for_selector("[data-dashboard=overview]")
    board = site.http.get("/api/dashboards/overview").json()
    assert board["layout"] == "rows=dash-loss,dash-tokens;dash-loss"
    page.click("[data-dashboard=overview] a")
    wait_until(page, "window.__streamvis.plots().length === 3")
    assert page.url.endswith("/?rows=dash-loss,dash-tokens;dash-loss")


def test_the_dashboards_page_follows_changes_made_elsewhere(site: Site, page) -> None:
    page.goto(f"{site.url}/dashboards")
    page.wait_for_load_state("networkidle")  # the lists as loaded: what follows is live
    with Client(site.server.uri) as client:
        client.save_plot("live-loss", {"kind": "line", "datasets": [
            {"series": "train", "bindings": {"x": "step", "y": "loss"}}]})
        page.wait_for_selector("[data-plot-name=live-loss]")
        client.save_dashboard("live-board", {"layout": "rows=live-loss",
                                             "plots": ["live-loss"]})
        page.wait_for_selector("[data-dashboard=live-board] code:has-text('rows=live-loss')")
        client.save_dashboard("live-board", {"layout": "cols=live-loss",
                                             "plots": ["live-loss"]})
        page.wait_for_selector("[data-dashboard=live-board] code:has-text('cols=live-loss')")
        client.delete_dashboard("live-board")
        page.wait_for_selector("[data-dashboard=live-board]", state="detached")
        client.delete_plot("live-loss")
        page.wait_for_selector("[data-plot-name=live-loss]", state="detached")


def test_the_builder_keeps_its_work_in_the_url(site: Site, page) -> None:
    _start(site, page, {"tags_any": ["baseline"]})
    page.select_option("select[aria-label='bind x']", "step")
    page.select_option("select[aria-label='bind y']", "loss")
    page.select_option("select[aria-label='y scale']", "log")
    wait_until(page, "location.search.includes('draft=')"
                     " && JSON.parse(new URLSearchParams(location.search).get('draft'))"
                     ".scales.y === 'log'")
    built = page.url
    baseline = {str(h) for h in site.sweep.runs if "baseline" in site.sweep.tags[h]}
    # A reload, and the link opened afresh, show the same work and draw the same plot.
    for _ in range(2):
        page.reload()
        wait_until(page, "window.__streamvis.plots().length === 1"
                         " && window.__streamvis.plots()[0].datasets[0].loaded")
        assert page.input_value("select[aria-label='bind y']") == "loss"
        assert page.input_value("select[aria-label='y scale']") == "log"
        shown = page.evaluate("window.__streamvis.plots()[0]")
        assert set(shown["datasets"][0]["runs"]) == baseline
        assert shown["view"]["logY"] is True
    # Away and back: the work is still there.
    page.click("header a:has-text('Run search')")
    page.wait_for_url("**/runs")
    page.go_back()
    wait_until(page, "document.querySelector(\"select[aria-label='bind y']\")?.value === 'loss'")
    assert page.url == built
    # Saved, the URL names the plot; opened, that link edits the plot as saved.
    page.fill("input[aria-label='plot name']", "url-state")
    page.click("button:has-text('Save plot')")
    page.wait_for_selector("[role=status]:has-text('saved plot \"url-state\"')")
    wait_until(page, "location.search === '?plot=url-state'")
    page.goto(f"{site.url}/build?plot=url-state")
    wait_until(page, "document.querySelector(\"select[aria-label='bind y']\")?.value === 'loss'")
    assert page.url.endswith("/build?plot=url-state")


def test_a_scatter_starts_as_the_latest_snapshot_colored_by_run(site: Site, page) -> None:
    page.goto(f"{site.url}/build?filter={quote(json.dumps({'tags_any': ['baseline']}))}")
    page.select_option("select[aria-label='plot kind']", "scatter")
    page.select_option("select[aria-label='series of dataset 1']", "train")
    bound = {role: page.input_value(f"select[aria-label='bind {role}']")
             for role in ("x", "y", "color", "frame")}
    assert bound == {"x": "loss", "y": "tokens", "color": "run", "frame": "step"}
    wait_until(page, "window.__streamvis.plots().length === 1"
                     " && window.__streamvis.plots()[0].datasets[0].loaded")
    shown = page.evaluate("window.__streamvis.plots()[0].datasets[0]")
    baseline = {str(h) for h in site.sweep.runs if "baseline" in site.sweep.tags[h]}
    assert shown["colorField"] == "run"
    assert set(shown["runs"]) == baseline
    assert shown["points"] == len(baseline)  # one point per run: the latest step only


def test_a_3d_scatter_binds_z_and_previews_with_a_camera(site: Site, page) -> None:
    page.goto(f"{site.url}/build?filter={quote(json.dumps({'tags_any': ['baseline']}))}")
    page.select_option("select[aria-label='plot kind']", "scatter3d")
    page.select_option("select[aria-label='series of dataset 1']", "train")
    page.select_option("select[aria-label='bind x']", "step")
    page.select_option("select[aria-label='bind y']", "loss")
    page.select_option("select[aria-label='bind z']", "tokens")
    # z takes numbers only, like x and y: a string is refused with the reason.
    page.check("[data-dataset='0'] .picks label:has-text('optimizer') input")
    page.select_option("select[aria-label='bind z']", "optimizer")
    assert "needs numbers" in page.inner_text(".refusal[data-role=z]")
    assert page.input_value("select[aria-label='bind z']") == "tokens"
    wait_until(page, "window.__streamvis.plots().length === 1"
                     " && window.__streamvis.plots()[0].datasets[0].loaded"
                     " && window.__streamvis.plots()[0].camera !== null")
    page.fill("input[aria-label='plot name']", "cloud3d")
    page.click("button:has-text('Save plot')")
    page.wait_for_selector("[role=status]:has-text('saved plot \"cloud3d\"')")
    spec = site.http.get("/api/plots/cloud3d").json()
    assert spec["kind"] == "scatter3d"
    assert {k: spec["datasets"][0]["bindings"][k] for k in ("x", "y", "z")} == {
        "x": "step", "y": "loss", "z": "tokens"}
