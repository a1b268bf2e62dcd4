"""The run page against a real server and a real capturing program
(examples/train_capture.py): what it draws, read back as text; the search's link to it
and its progress column."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest

import streamvis
from streamvis.testing import ServerProcess

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "train_capture.py"


@pytest.fixture
def handle(server: ServerProcess, tmp_path: Path) -> str:
    env = {**os.environ, "STREAMVIS_CAPTURE": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, str(EXAMPLE), "--uri", server.uri, "--epochs", "2",
                           "--steps", "30"], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    return done.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1]


def _text(page, selector: str) -> str:
    return str(page.inner_text(selector))


def test_the_run_page_shows_what_the_run_captured(server: ServerProcess, handle: str,
                                                   page) -> None:
    page.goto(f"{server.web_url.rstrip('/')}/runs/{handle}")
    assert _text(page, "[data-testid=run-handle]") == handle
    page.wait_for_selector("[data-testid=run-attributes]")
    assert _text(page, "[data-testid=run-tag]") == "capture-example"
    # Attributes grouped by prefix, in the page's order.
    groups = page.eval_on_selector_all("[data-group]", "gs => gs.map(g => g.dataset.group)")
    assert groups == ["command", "config", "git", "env"]
    assert _text(page, "tr[data-attr='config.args.epochs'] td") == "2"
    assert _text(page, "tr[data-attr='config.optimizer.lr'] td") == "0.05"
    assert "train_capture.py" in _text(page, "tr[data-attr='command.argv'] td")
    # Progress: each bar's read-out.
    assert _text(page, "[data-bar='epoch 1'] .text") == "epoch 1: 30/30 (100%)"
    assert _text(page, "[data-bar='loading data'] .text") == "loading data: 5"
    # Series with their row counts.
    assert _text(page, "tr[data-series='capture-train'] td") == "60 rows"
    # The console, then searched.
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=run-console] .line').length > 5")
    console = _text(page, "pre.console")
    assert "epoch 0: mean loss" in console
    assert "done; the weight should be near 3" in console
    page.fill("input[aria-label='search the console']", "weight should")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=console-count]').textContent"
        ".startsWith('1 line')")
    assert _text(page, "pre.console").strip() == "done; the weight should be near 3"
    # The last system sample (the example samples every 0.5 s).
    assert _text(page, "tr[data-metric=cpu] td").endswith(" %")
    assert "iB" in _text(page, "tr[data-metric=memory] td")
    # Environment, and the artifacts and controls panel (RunExtras).
    with streamvis.connect(server.uri) as sv:
        count = len(sv.run_info(handle).packages)
    assert _text(page, "[data-testid=run-environment] summary") == f"{count} packages"
    extras = page.locator(f"[data-testid=run-extras] section.extras[data-run='{handle}']")
    extras.locator("a", has_text="model").first.wait_for()  # the checkpoint of each epoch
    assert extras.locator("a", has_text="model").count() == 2
    page.locator(f"[data-testid=run-extras] .controls[data-run='{handle}'] "
                 "[data-control=lr]").wait_for()  # the example's learning-rate slider


def test_the_search_links_to_the_run_page_and_shows_progress(
    server: ServerProcess, handle: str, page,
) -> None:
    page.goto(f"{server.web_url.rstrip('/')}/runs")
    row = f".row[data-run='{handle}']"
    page.wait_for_selector(f"{row} .progress [data-bar]")
    assert _text(page, f"{row} .progress .text") == "epoch 1: 30/30 (100%)"  # the latest
    # Captured command/env/git attributes are on the run page, not search columns.
    heads = page.eval_on_selector_all(".row.head > *", "hs => hs.map(h => h.textContent)")
    assert "config.args.epochs" in heads
    assert not any(h.startswith(("command.", "env.", "git.")) for h in heads)
    page.click(f"{row} a[title='open run {handle}']")
    page.wait_for_selector("[data-testid=run-attributes]")
    assert page.url.endswith(f"/runs/{handle}")


def test_a_handle_prefix_opens_its_run_page_under_the_whole_handle(
    server: ServerProcess, page,
) -> None:
    a = uuid.UUID("beef0000-0000-4000-8000-000000000001")
    b = uuid.UUID("beef0001-0000-4000-8000-000000000002")
    with streamvis.connect(server.uri) as sv:
        sv.client.create_run(a)
        sv.client.create_run(b, tags=["by-prefix"])
    base = server.web_url.rstrip("/")
    page.goto(f"{base}/runs/BEEF")
    page.wait_for_selector("[role=alert]")
    assert f"ambiguous: it matches {a}, {b}" in _text(page, "[role=alert]")
    page.goto(f"{base}/runs/beef0001")
    page.wait_for_url(f"**/runs/{b}")
    assert _text(page, "[data-testid=run-handle]") == str(b)
    assert _text(page, "[data-testid=run-tag]") == "by-prefix"


def test_a_series_on_the_run_page_opens_that_runs_charts_in_the_workspace(
    server: ServerProcess, page,
) -> None:
    with streamvis.connect(server.uri) as sv:
        c = sv.client
        c.create_field("step", "int")
        c.create_field("loss", "float")
        c.create_field("acc", "float")
        c.create_field("name", "string")
        c.create_series("first", ["step", "loss"])
        c.create_series("second", ["step", "acc"])
        mine = c.create_run(tags=["mine"], attributes={"name": "mine"})
        other = c.create_run(tags=["other"], attributes={"name": "other"})
        for run in (mine, other):
            steps = np.arange(50)
            c.append(run.handle, "first", {"step": steps, "loss": 1.0 / (steps + 1)})
            c.append(run.handle, "second", {"step": steps, "acc": steps / 50})
    # The second section starts below the fold.
    page.set_viewport_size({"width": 1200, "height": 500})
    page.goto(f"{server.web_url.rstrip('/')}/runs/{mine.handle}")
    assert _text(page, "tr[data-series='first'] td") == "50 rows"
    page.click("tr[data-series='second'] a")
    page.wait_for_selector("[data-testid=workspace-runs] li")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=workspace-runs] li').length === 1")
    assert "mine" in _text(page, "[data-testid=workspace-runs]")
    # Scrolled to the series the link named: its section's top is in view.
    page.wait_for_function(
        "() => { const r = document.querySelector(\"[data-section='second']\")"
        ".getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; }")
