"""The run search page against a real server: filters from a URL, filters that write the
URL, and tagging, untagging and deleting runs."""

from __future__ import annotations

import contextlib
import uuid
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Error as PlaywrightError

from streamvis.cli.tables import format_number

from .explore_fixtures import Site, site_fixture, wait_until  # noqa: F401 -- fixture `site`


def _rows(page) -> list[str]:
    return list(page.eval_on_selector_all(".body .row[data-run]",
                                          "rs => rs.map(r => r.dataset.run)"))


def _count(page) -> int:
    page.wait_for_selector(".matches")
    return int(page.get_attribute(".matches", "data-count"))


def test_filters_are_restored_from_a_url(site: Site, page) -> None:
    sw = site.sweep
    expected = [h for h in sw.runs
                if "baseline" in sw.tags[h] and sw.attributes[h]["optimizer"] == "adam"
                and float(str(sw.attributes[h]["lr"])) <= 0.01]
    page.goto(f"{site.url}/runs?any=baseline&in.optimizer=adam&range.lr=..0.01")
    assert _count(page) == len(expected) > 0
    assert page.is_checked("fieldset[data-field=optimizer] label:has-text('adam') input")
    assert page.input_value("label[data-tag=baseline] select") == "any"
    # The tag modes say what they do in words.
    options = page.eval_on_selector_all("label[data-tag=baseline] option",
                                        "os => os.map(o => o.textContent)")
    assert options == ["ignore", "any of these", "must have", "must not have"]
    # The started column shows its whole time, none of it cut off.
    cut = page.eval_on_selector_all(".body .row .started",
                                    "cs => cs.filter(c => c.scrollWidth > c.clientWidth).length")
    assert cut == 0
    assert page.eval_on_selector(".body .row .started", "c => c.textContent").startswith("20")
    shown = set(page.eval_on_selector_all(".body .row", "rows => rows.map(r => r.dataset.run)"))
    assert shown == {str(h) for h in expected}
    # Numbers read as the CLI prints them, the full value in the cell's title.
    for h in expected:
        cells = page.eval_on_selector_all(f".row[data-run='{h}'] .num",
                                          "cs => cs.map(c => [c.textContent, Number(c.title)])")
        lr = float(str(sw.attributes[h]["lr"]))
        assert [format_number(lr), lr] in cells


def test_changing_a_filter_writes_the_url(site: Site, page) -> None:
    sw = site.sweep
    page.goto(f"{site.url}/runs")
    assert _count(page) == len(sw.runs)
    page.check("fieldset[data-field=model] label:has-text('vit') input")
    page.select_option("label[data-tag=broken] select", "none")
    vit = [h for h in sw.runs if sw.attributes[h]["model"] == "vit" and "broken" not in sw.tags[h]]
    wait_until(page, f"document.querySelector('.matches').dataset.count == {len(vit)}")
    # Written once the filter rests (decision 0048), not at each change.
    wait_until(page, "location.search.includes('none=broken')")
    query = parse_qs(urlparse(page.url).query)
    assert query == {"in.model": ["vit"], "none": ["broken"]}
    # The link opens the same search in a new page.
    page.goto(page.url)
    assert _count(page) == len(vit)


def test_tag_untag_and_delete_with_confirmation(site: Site, page) -> None:
    page.goto(f"{site.url}/runs?in.seed=3")
    _count(page)
    rows = page.eval_on_selector_all(".body .row", "rows => rows.map(r => r.dataset.run)")
    first, second = rows[0], rows[1]
    for h in (first, second):
        page.check(f".row[data-run='{h}'] input[type=checkbox]")
    page.fill("input[aria-label='tag to add or remove']", "picked")
    page.click("button:has-text('Add tag')")
    page.wait_for_selector(".msg:has-text('tagged \"picked\": 2 runs')")
    assert "picked" in site.http.get(f"/api/runs/{first}").json()["tags"]
    page.click("button:has-text('Remove tag')")
    page.wait_for_selector(".msg:has-text('untagged')")
    assert "picked" not in site.http.get(f"/api/runs/{second}").json()["tags"]
    # Delete asks first; Cancel deletes nothing.
    page.uncheck(f".row[data-run='{second}'] input[type=checkbox]")
    page.click("button:has-text('Delete…')")
    page.wait_for_selector("[aria-label='confirm delete']:has-text('Delete 1 run')")
    page.click("[aria-label='confirm delete'] button:has-text('Cancel')")
    assert site.http.get(f"/api/runs/{first}").status_code == 200
    page.click("button:has-text('Delete…')")
    page.click("[aria-label='confirm delete'] button:has-text('Delete')")
    page.wait_for_selector(".msg:has-text('deleted: 1 run')")
    assert site.http.get(f"/api/runs/{first}").status_code == 404
    assert page.query_selector(f".row[data-run='{first}']") is None


def test_the_rows_column_counts_and_follows_appends_live(site: Site, page) -> None:
    import numpy as np  # noqa: PLC0415 - only this test logs rows

    from streamvis.client import Client  # noqa: PLC0415

    handle = str(site.sweep.runs[1])
    page.goto(f"{site.url}/runs?q={handle[:8]}")  # the run in view: the table draws those
    cell = f".row[data-run='{handle}'] .rows"
    page.wait_for_selector(f"{cell}[data-rows]:not([data-rows=''])")
    before = int(page.get_attribute(cell, "data-rows"))
    counts = site.http.get("/api/run-rows", params={"runs": handle}).json()
    assert before == counts[handle] > 0
    assert page.query_selector(f"{cell} .live") is None
    with Client(site.server.uri) as c:
        c.append(handle, "eval", {"step": np.arange(7, dtype=np.int64),
                                  "accuracy": np.zeros(7)})
    page.wait_for_selector(f"{cell}[data-rows='{before + 7}'] .live")


def test_a_change_keeps_the_rows_until_its_answer_and_a_stale_answer_is_dropped(
    site: Site, page,
) -> None:
    """A filter change leaves the rows drawn (dimmed, aria-busy) until the server answers
    it; a newer change aborts the older one's request, so its late answer never replaces
    the newer rows; the filter panel's counts follow the last change (decision 0048)."""
    sw = site.sweep
    # The runs an earlier test of the module left.
    alive = {r["handle"] for r in site.http.get("/api/runs").json()}
    runs = [h for h in sw.runs if str(h) in alive]
    page.goto(f"{site.url}/runs")
    assert _count(page) == len(runs)
    page.wait_for_selector("fieldset[data-field=model] input")
    first_rows = _rows(page)
    held = []
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))

    def hold_vit(route) -> None:
        # The answer to the filter on vit is held back; every other request goes on.
        if "vit" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/run-search?*", hold_vit)
    page.check("fieldset[data-field=model] label:has-text('vit') input")
    wait_until(page, "document.querySelector('.table').getAttribute('aria-busy') === 'true'")
    assert held
    # The last filter's rows stay drawn meanwhile, and its count.
    assert _rows(page) == first_rows
    assert _count(page) == len(runs)
    # A newer change, answered at once: its rows and count, not vit's.
    page.uncheck("fieldset[data-field=model] label:has-text('vit') input")
    page.check("fieldset[data-field=model] label:has-text('mlp') input")
    mlp = [str(h) for h in runs if sw.attributes[h]["model"] == "mlp"]
    wait_until(page, f"document.querySelector('.matches').dataset.count == {len(mlp)}"
               " && document.querySelector('.table').getAttribute('aria-busy') === 'false'")
    assert any("vit" in u for u in failed)  # aborted by the newer change
    with contextlib.suppress(PlaywrightError):  # the request is gone: nothing to answer
        held[0].continue_()
    page.unroute("**/api/run-search?*")
    # The panel's counts follow the last change: each tag's count among mlp's runs.
    baseline = sum(1 for h in mlp if "baseline" in sw.tags[uuid.UUID(h)])
    assert baseline
    wait_until(page, "document.querySelector('label[data-tag=baseline] .count').textContent"
               f" == '{baseline}'")
    shown = _rows(page)
    assert shown and set(shown) <= set(mlp)
    assert int(page.get_attribute(".matches", "data-count")) == len(mlp)
