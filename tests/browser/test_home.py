"""The landing page against a real server: its empty state says how to start, then runs,
plots and dashboards saved elsewhere appear on it live, each linking where it opens."""

from __future__ import annotations

from streamvis.client import Client
from streamvis.testing import ServerProcess


def test_the_landing_page_starts_empty_then_follows_what_is_saved(
    server: ServerProcess, page,
) -> None:
    base = server.web_url.rstrip("/")
    page.goto(f"{base}/")
    empty = page.inner_text("[data-testid=no-plots]")
    assert "plot builder" in empty and "streamvis demo" in empty
    assert "PUT /api/plots" not in page.inner_text(".home")
    assert page.get_attribute("[data-testid=no-plots] a", "href") == "build"
    assert "streamvis demo" in page.inner_text("[data-testid=no-runs]")
    page.wait_for_load_state("networkidle")  # the lists as loaded: what follows is live
    with Client(server.uri) as c:
        c.create_field("step", "int")
        c.create_field("loss", "float")
        c.create_series("train", ["step", "loss"])
        run = c.create_run(tags=["fresh"])
        row = f"tr[data-run='{run.handle}']"
        page.wait_for_selector(row)
        assert page.inner_text(f"{row} code") == str(run.handle)[:8]
        assert page.inner_text(f"{row} .tag") == "fresh"
        c.add_tag(run.handle, "tagged")
        page.wait_for_selector(f"{row} .tag:has-text('tagged')")
        c.save_plot("home-loss", {"kind": "line", "datasets": [
            {"series": "train", "bindings": {"x": "step", "y": "loss"}}]})
        page.wait_for_selector("[data-plot-name=home-loss]")
        assert page.query_selector("[data-testid=no-plots]") is None
        c.save_dashboard("home-board", {"layout": "rows=home-loss", "plots": ["home-loss"]})
        page.wait_for_selector("[data-dashboard=home-board] a[href='./?rows=home-loss']")
        c.delete_run(run.handle)
        page.wait_for_selector(row, state="detached")
    page.reload()
    page.wait_for_selector("[data-plot-name=home-loss]")
    page.click("[data-plot-name=home-loss] a[href='build?plot=home-loss']")
    page.wait_for_url("**/build?plot=home-loss")
