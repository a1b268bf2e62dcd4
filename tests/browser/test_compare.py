"""The compare page and the dataset download, in a browser against a real server: three
runs compared from the run search show exactly the attributes that differ (the shared
ones folded away) and each metric's last/min/max; a plot panel's CSV download holds the
rows the panel draws."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.model import capture
from streamvis.model.schema import Value
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

ATTRS: tuple[dict[str, Value], ...] = (
    {"lr": 0.001, "optimizer": "adam", "batch": 32, "seed": 1},
    {"lr": 0.003, "optimizer": "adam", "batch": 32, "seed": 1},
    {"lr": 0.001, "optimizer": "adam", "batch": 32, "seed": 2},
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, list[str]]]:
    with ServerProcess(str(tmp_path_factory.mktemp("compare"))) as proc, \
            Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("loss", "float"), ("lr", "float"),
                           ("optimizer", "string"), ("batch", "int"), ("seed", "int")):
            c.create_field(name, kind)
        c.create_series("train", ["step", "loss"])
        # What a logger captures by itself (model/capture.py): no metric to compare.
        for name, kind in capture.FIELDS.items():
            if name in capture.SERIES[capture.CAPTURE_SERIES]:
                c.create_field(name, kind)
        c.create_series(capture.CAPTURE_SERIES, list(capture.SERIES[capture.CAPTURE_SERIES]))
        handles = []
        for i, attrs in enumerate(ATTRS):
            run = c.create_run(tags=["sweep"], attributes=attrs, started_at=1_700_000_000 + i)
            steps = np.arange(10)
            c.append(run.handle, "train", {"step": steps, "loss": (i + 1) * 10.0 / (1 + steps)})
            c.append(run.handle, capture.CAPTURE_SERIES, {
                capture.CAPTURE_KEY: np.array(["git.diff"] * 2),
                capture.CAPTURE_PART: np.arange(2), capture.CAPTURE_TEXT: np.array(["a", "b"])})
            handles.append(str(run.handle))
        c.save_plot("losses", {"kind": "line", "datasets": [
            {"series": "train", "bindings": {"x": "step", "y": "loss", "color": "run"},
             "filter": {"tags_any": ["sweep"]}}]})
        yield proc, handles


def test_three_runs_compared_from_the_search_show_exactly_what_differs(world, page: Page):
    server, handles = world
    page.goto(f"{server.web_url.rstrip('/')}/runs")
    for h in handles:
        page.check(f"input[aria-label='select run {h[:8]}']")
    page.click("a.compare")
    page.wait_for_selector("[data-testid=compare-differ] tr[data-attr]")
    shown = page.eval_on_selector_all(
        "[data-testid=compare-differ] tr[data-attr]", "rs => rs.map(r => r.dataset.attr)")
    assert shown == ["lr", "seed"]
    cells = page.eval_on_selector_all(
        "[data-testid=compare-differ] tr[data-attr='lr'] td", "ts => ts.map(t => t.textContent)")
    columns = page.eval_on_selector_all("th.run", "ts => ts.map(t => t.dataset.run)")
    assert sorted(columns) == sorted(handles)
    lr_of = {h: str(a["lr"]) for h, a in zip(handles, ATTRS, strict=True)}
    assert cells == [lr_of[h] for h in columns]
    # The attributes all share are folded away, listed when opened.
    assert not page.is_visible("[data-testid=compare-same] tr[data-attr='batch']")
    page.click("[data-testid=compare-same] summary")
    same = page.eval_on_selector_all(
        "[data-testid=compare-same] tr[data-attr]", "rs => rs.map(r => r.dataset.attr)")
    assert same == ["batch", "optimizer"]
    # The metrics: loss = 10 (i + 1) / (1 + step): last at step 9, min there, max at 0.
    loss = page.eval_on_selector_all(
        "tr[data-metric='train.loss'] td", "ts => ts.map(t => t.textContent.trim())")
    for h, text in zip(columns, loss, strict=True):
        k = handles.index(h) + 1
        assert text == f"{k} ({k} \u2013 {k * 10})"
    # The captured series (the git diff's parts) are neither metrics nor counted rows.
    metrics = page.eval_on_selector_all("tr[data-metric]", "rs => rs.map(r => r.dataset.metric)")
    assert metrics == ["train.loss", "train.step"]
    assert page.eval_on_selector_all("tr[data-rows]", "rs => rs.map(r => r.dataset.rows)") == [
        "train"]
    # Handles link to the run pages.
    page.click(f"th.run[data-run='{columns[0]}'] a")
    page.wait_for_selector("[data-testid=run-handle]")
    assert page.inner_text("[data-testid=run-handle]") == columns[0]


def test_the_csv_download_holds_what_the_panel_draws(world, page: Page):
    server, handles = world
    page.goto(f"{server.web_url}?rows=losses")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 1"
                     " && p[0].firstFullRenderAt !== null; })()")
    drawn = page.evaluate("window.__streamvis.plots()[0].datasets[0]")
    page.click("[data-testid=dataset-download] button.menu")
    with page.expect_download() as info:
        page.click("[data-testid=dataset-download] a[data-format=csv]")
    path = info.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["run", "step", "loss"]
    assert len(rows) == drawn["points"] == 30
    assert sorted({r["run"] for r in rows}) == sorted(handles) == sorted(drawn["runs"])
    last = {r["run"]: float(r["loss"]) for r in rows if r["step"] == "9"}
    assert last == {h: (i + 1) * 10.0 / 10 for i, h in enumerate(handles)}


def test_the_search_shows_a_chosen_metrics_last_best_and_steps(world, page: Page):
    server, handles = world
    page.goto(f"{server.web_url.rstrip('/')}/runs")
    key = '["train","loss"]'
    page.wait_for_selector(f"select[aria-label='summary metric'] option[value='{key}']",
                           state="attached")
    page.select_option("select[aria-label='summary metric']", key)
    page.wait_for_selector(f"[data-run='{handles[2]}'] [data-summary=best]:not(:empty)")
    for i, h in enumerate(handles):
        cells = page.eval_on_selector_all(
            f"[data-run='{h}'] [data-summary]", "cs => cs.map(c => c.textContent)")
        # loss = 10 (i + 1) / (1 + step), steps 0..9: last = lowest = i + 1.
        assert cells == [str(i + 1), str(i + 1), "10"]
    page.select_option("select[aria-label='best is']", "max")
    # wait_until, not page.wait_for_function: the app's CSP forbids the eval that uses.
    wait_until(page, f"document.querySelector(\"[data-run='{handles[2]}'] "
                     "[data-summary=best]\").textContent === '30'")
