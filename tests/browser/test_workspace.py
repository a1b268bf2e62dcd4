"""The workspace in the browser against a real server: with nothing configured it shows a
panel per numeric field of every series with each run's line drawn in the run's color (and
a text panel per string field, each run's latest text);
unticking a run in the run list takes its lines out of every panel; hovering a run fades the
others; a series logged while the page is open gets its panel.

Lines are checked in the pixels of a screenshot. A run's color is the page's run color
(frontend/src/lib/plot/palette.ts: a hash of its handle picks a tab10 color), so the test runs
get handles chosen for tab10's first three: run-0 blue, run-1 orange, run-2 green.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis import DataLogger, declare_schema
from streamvis.cli.demo import (
    FIELDS,
    SERIES,
    SERIES_X,
    DemoRun,
    declared_series,
    log_sync,
    new_loggers,
)
from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until
from .test_kinds import png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _handle_colored(slot: int) -> str:
    """A run handle whose page color is tab10[slot]: palette.ts hashes the handle (FNV-1a,
    32 bits) onto the nine strong colors, and a page whose runs want different ones gives
    each its own."""
    for i in range(10_000):
        handle = str(uuid.uuid5(uuid.NAMESPACE_URL, f"streamvis-workspace-test-{i}"))
        h = 2166136261
        for ch in handle:
            h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
        if h % 9 == slot:
            return handle
    raise AssertionError(f"no handle found for color {slot}")


#: Blue (tab10[0], #1f77b4) for run-0, orange (tab10[1], #ff7f0e) run-1, green (#2ca02c) run-2.
HANDLES = [_handle_colored(k) for k in range(3)]
STEPS = np.arange(200)
#: Panels of the schema below: train's loss and acc against step, eval's acc against epoch.
PANELS = {"train/loss", "train/acc", "eval/acc"}
#: And the text panel of train's string field (no GL plot: counted apart).
TEXT_PANELS = {"train/phase"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("ws") / "data")) as proc, Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("epoch", "int"), ("loss", "float"), ("acc", "float"),
                           ("phase", "string"), ("name", "string")):
            c.create_field(name, kind)
        c.create_series("train", ["step", "phase", "loss", "acc"])
        c.create_series("eval", ["epoch", "acc"])
        for i, started in enumerate((1_000.0, 2_000.0)):
            run = c.create_run(HANDLES[i], tags=["ws"], attributes={"name": f"run-{i}"},
                               started_at=started)
            c.append(run.handle, "train", {
                "step": STEPS, "phase": np.full(len(STEPS), "fit"),
                "loss": 2.0 * np.exp(-STEPS / (40 + 60 * i)) + 0.1 * i,
                "acc": 1 - np.exp(-STEPS / (30 + 50 * i))})
            c.append(run.handle, "eval", {"epoch": np.arange(20),
                                          "acc": np.linspace(0.2 + 0.3 * i, 0.9, 20)})
        yield proc


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory,
                monkeypatch_module: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    """A fresh server with what `streamvis demo --runs 2` logs, 60 steps of it."""
    tmp = tmp_path_factory.mktemp("ws-demo")
    monkeypatch_module.setenv("XDG_CACHE_HOME", str(tmp / "cache"))  # the loggers' spool
    with ServerProcess(str(tmp / "data")) as proc:
        declare_schema(FIELDS, declared_series(), uri=proc.uri)
        runs = [DemoRun(i, sweep=True) for i in range(2)]
        log_sync(new_loggers(DataLogger, proc.uri, runs), runs, 60, 0.0)
        yield proc


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _demo_type(name: str) -> str:
    decl = FIELDS[name]
    if isinstance(decl, tuple):
        return str(decl[0])
    return str(decl) if isinstance(decl, str) else str(decl["type"])


def demo_panels() -> set[str]:
    """Every numeric field of every demo series but its x (the one it names, else its first
    int field: the step), and every media and string field (a media or text panel, not a
    GL plot: see demo_media_panels)."""
    out = set()
    for series, names in SERIES.items():
        numeric = [n for n in names if _demo_type(n) in ("int", "float")]
        if not numeric:
            continue
        step = SERIES_X.get(series) or next(n for n in numeric if _demo_type(n) == "int")
        out |= {f"{series}/{n}" for n in numeric if n != step}
    # logger.image's boxes are drawn over the sample images, not charted on their own.
    return out | demo_media_panels()


def demo_media_panels() -> set[str]:
    """The demo's media and text panels: no GL plots. `expected` is no panel of its own:
    the diff panel of the generated text shows it."""
    return {f"{series}/{n}" for series, names in SERIES.items() for n in names
            if _demo_type(n) in ("image", "audio", "video", "string") and n != "expected"}


def _drawn_panels(page: Page, count: int, runs: int = 2) -> None:
    """Waits until `count` plots are drawn with `runs` runs' data loaded, and a frame after."""
    wait_until(page, "(() => { const p = window.__streamvis.plots();"
                     f" return p.length === {count} && p.every((x) => x.firstFullRenderAt !== null"
                     f" && x.datasets.every((d) => d.loaded && d.runs.length === {runs})); }})()")
    page.wait_for_timeout(400)


def _color_counts(page: Page) -> dict[str, tuple[int, int]]:
    """Per panel: how many pixels of its data area are the first run's blue, the second's orange."""
    pixels = png_pixels(page.screenshot())
    out: dict[str, tuple[int, int]] = {}
    for el in page.query_selector_all("[data-panel]"):
        key = el.get_attribute("data-panel")
        if key in TEXT_PANELS:
            continue
        area = el.query_selector(".plot .area")
        box = area.bounding_box() if area else None
        assert key is not None and box is not None, "a panel with no plot area"
        crop = pixels[round(box["y"]):round(box["y"] + box["height"]),
                      round(box["x"]):round(box["x"] + box["width"])]

        r, b = crop[:, :, 0], crop[:, :, 2]
        # By hue, not exact color: a thin line's edge pixels are blended with the white.
        out[key] = (int((b - r > 60).sum()), int((r - b > 90).sum()))
    return out


def test_a_fresh_page_shows_a_panel_per_metric_with_every_runs_line(server, page: Page) -> None:
    page.goto(server.web_url)
    every = PANELS | TEXT_PANELS
    wait_until(page, f"document.querySelectorAll('[data-panel]').length === {len(every)}")
    _drawn_panels(page, len(PANELS))
    keys = {el.get_attribute("data-panel") for el in page.query_selector_all("[data-panel]")}
    assert keys == every
    # The string field's text panel: each run's text at its latest step.
    wait_until(page, "document.querySelectorAll(\"[data-panel='train/phase'] .text-plot"
                     ' section").length === 2')
    assert page.inner_text("[data-panel='train/phase'] .text-plot").count("fit") == 2
    counts = _color_counts(page)
    for key, (blue, orange) in counts.items():
        assert blue > 50 and orange > 50, f"{key}: both runs' lines drawn, got {counts}"
    # The run list names runs by their `name` attribute; the landing page's lists follow.
    names = page.inner_text("[data-testid=workspace-runs]")
    assert "run-0" in names and "run-1" in names
    # The panels' legends name the runs the same way, from one request for all of them
    # (each plot asking for the same runs' attributes queued behind the data).
    legend = page.inner_text("[data-panel='train/loss'] .plot")
    assert "run-0" in legend and "run-1" in legend
    asked = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                          ".filter(n => n.includes('/api/runs?') && n.includes('handles'))")
    assert len(asked) == 1, asked
    page.click("text=saved dashboards, plots and runs")
    page.wait_for_timeout(300)
    saved = page.query_selector("[data-testid=home-runs]")
    box = saved.bounding_box() if saved else None
    assert box is not None and 0 <= box["y"] < 800, f"the runs list scrolled into view: {box}"


def test_a_fresh_server_with_the_demo_shows_every_demo_metric(demo_server, page: Page) -> None:
    page.goto(demo_server.web_url)
    want = demo_panels()
    wait_until(page, f"document.querySelectorAll('[data-panel]').length === {len(want)}")
    shown = {el.get_attribute("data-panel") for el in page.query_selector_all("[data-panel]")}
    assert shown == want
    # Only the panels near the view fetch and draw: those further down wait.
    # Panels near the fold start as the ones in view draw, so the counts are read in one
    # snapshot and awaited until the plots made match the panels shown. Media and text
    # panels are no GL plots: they are counted apart.
    snapshot = ("(() => ({waiting: document.querySelectorAll('[data-drawn=no]').length,"
                " media: document.querySelectorAll('[data-drawn=yes] :is(.media-plot,"
                " .text-plot)').length, plots: window.__streamvis.plots().length}))()")
    page.wait_for_timeout(500)
    deadline = time.monotonic() + 15
    state = page.evaluate(snapshot)
    while state["plots"] != len(want) - state["waiting"] - state["media"]:
        assert time.monotonic() < deadline, f"the plots made match the panels shown: {state}"
        time.sleep(0.05)
        state = page.evaluate(snapshot)
    assert 0 < state["waiting"] < len(want), state
    # Scrolled to, they draw: scroll down through them all.
    for _ in range(20):
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(100)
    plots = len(want) - len(demo_media_panels())
    wait_until(page, "(() => { const p = window.__streamvis.plots();"
                     f" return p.length === {plots} && p.every((x) => x.firstFullRenderAt"
                     " !== null && x.datasets.every((d) => d.loaded && d.points > 0"
                     " && d.runs.length === 2)); })()", timeout=60)
    # The sample images' panel shows each run's latest image with its boxes over it; the
    # audio panel a player.
    wait_until(page, "document.querySelectorAll(\"[data-panel='demo-samples/sample'] "
                     '.media-plot section.run .boxes rect").length >= 2')
    wait_until(page, "document.querySelector(\"[data-panel='demo-audio/clip'] audio\")"
                     "?.readyState >= 1")
    # The generated text's panel shows each run's latest text as a diff against the
    # expected one (the two fields are one panel).
    wait_until(page, "document.querySelectorAll(\"[data-panel='demo-text/generated'] "
                     '.text-plot pre.diff").length === 2')


def test_unticking_a_run_hides_its_lines_in_every_panel(server, page: Page) -> None:
    page.goto(f"{server.web_url}workspace")
    _drawn_panels(page, len(PANELS))
    page.get_by_label("show run run-1").uncheck()
    wait_until(page, "location.search.includes('hide=')")
    _drawn_panels(page, len(PANELS), runs=1)
    counts = _color_counts(page)
    for key, (blue, orange) in counts.items():
        assert blue > 50 and orange < 5, f"{key}: only the first run drawn, got {counts}"
    # The choice is in the URL: a reload keeps it.
    page.reload()
    _drawn_panels(page, len(PANELS), runs=1)
    assert all(o < 5 for _, o in _color_counts(page).values())


def test_hovering_a_run_fades_the_others_in_every_panel(server, page: Page) -> None:
    page.goto(f"{server.web_url}workspace")
    _drawn_panels(page, len(PANELS))
    page.hover("[data-testid=workspace-runs] li:nth-child(1)")  # the newest first: run-1
    page.wait_for_timeout(400)
    counts = _color_counts(page)
    for key, (blue, orange) in counts.items():
        assert blue < 5 and orange > 50, f"{key}: run-0 faded, run-1 in full, got {counts}"


def test_a_pinned_panel_leads_and_the_layout_saves_as_a_dashboard(server, page: Page) -> None:
    page.goto(f"{server.web_url}workspace")
    _drawn_panels(page, len(PANELS))
    page.click("[data-panel='train/acc'] button:has-text('pin')")
    wait_until(page, "location.search.includes('pin=train%2Facc')")
    first = page.query_selector("[data-section] [data-panel]")
    assert first is not None and first.get_attribute("data-panel") == "train/acc"
    assert page.query_selector("[data-section=pinned] [data-panel='train/acc']") is not None
    page.fill("[aria-label='dashboard name']", "wsboard")
    page.click("button:has-text('save as dashboard')")
    wait_until(page, "document.body.innerText.includes('Saved the dashboard \"wsboard\"')")
    with Client(server.uri) as c:
        board = c.dashboard("wsboard")
        plot = c.plot("wsboard.train.acc")
        text = c.plot("wsboard.train.phase")
    assert board["plots"] == ["wsboard.train.acc", "wsboard.eval.acc", "wsboard.train.loss",
                              "wsboard.train.phase"]
    assert plot["kind"] == "line"
    assert plot["datasets"][0]["bindings"] == {"x": "step", "y": "acc", "color": "run"}
    assert text["kind"] == "text"
    assert text["datasets"][0]["bindings"] == {"text": "phase", "frame": "step"}
    # The dashboard opens with its three line plots (and the text plot), each with both runs.
    page.goto(f"{server.web_url}?{board['layout']}")
    _drawn_panels(page, 3)


def test_a_folded_section_stays_folded_after_a_reload(server, page: Page) -> None:
    page.goto(f"{server.web_url}workspace")
    _drawn_panels(page, len(PANELS))
    page.click("[data-section=eval] summary")
    wait_until(page, "location.search.includes('closed=eval')")
    assert page.query_selector("[data-panel='eval/acc']") is None
    page.reload()
    _drawn_panels(page, len(PANELS) - 1)
    assert page.query_selector("[data-panel='eval/acc']") is None
    page.click("[data-section=eval] summary")
    _drawn_panels(page, len(PANELS))
    assert "closed=" not in page.evaluate("location.search")


def test_edit_opens_the_panel_in_the_builder(server, page: Page) -> None:
    page.goto(f"{server.web_url}workspace")
    _drawn_panels(page, len(PANELS))
    page.click("[data-panel='train/loss'] a:has-text('edit')")
    wait_until(page, "location.pathname.endsWith('/build') && location.search.includes('draft=')")
    draft = page.evaluate("JSON.parse(new URLSearchParams(location.search).get('draft'))")
    dataset = draft["datasets"][0]
    assert dataset["series"] == "train"
    assert dataset["bindings"] == {"x": "step", "y": "loss", "color": "run"}


# Last: it adds a series (and a panel) to the module's server.
def test_a_series_logged_while_open_gets_its_panel(server, page: Page) -> None:
    page.goto(f"{server.web_url}workspace")
    _drawn_panels(page, len(PANELS))
    with Client(server.uri) as c:
        c.create_field("grad_norm", "float")
        c.create_series("grads", ["step", "grad_norm"])
        run = next(r for r in c.runs() if r.attributes.get("name") == "run-0")
        c.append(run.handle, "grads", {"step": STEPS, "grad_norm": np.sqrt(STEPS + 1.0)})
    wait_until(page, "document.querySelector('[data-panel=\"grads/grad_norm\"]') !== null")
    wait_until(page, "window.__streamvis.plots().length === 4")
    page.wait_for_timeout(1000)
    blue, _ = _color_counts(page)["grads/grad_norm"]
    assert blue > 50


def test_a_run_started_while_open_joins_every_panel_in_its_own_color(server, page: Page) -> None:
    page.goto(f"{server.web_url}workspace")
    wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length === 4"
                     " && p.every((x) => x.datasets.every((d) => d.loaded)); })()")
    with Client(server.uri) as c:
        run = c.create_run(HANDLES[2], tags=["ws"], attributes={"name": "run-2"},
                           started_at=3_000.0)
        c.append(run.handle, "train", {"step": STEPS, "phase": np.full(len(STEPS), "fit"),
                                       "loss": np.full(len(STEPS), 1.0),
                                       "acc": np.full(len(STEPS), 0.5)})
    wait_until(page, "document.querySelector('[data-testid=workspace-runs]').innerText"
                     ".includes('run-2')")
    # The train panels draw the new run's line in the third color (tab10's green), the eval
    # panel has no rows of it.
    wait_until(page, "(() => { const p = window.__streamvis.plots().filter((x) =>"
                     " x.datasets[0].series === 'train'); return p.length === 2 && p.every((x) =>"
                     " x.datasets[0].loaded && x.datasets[0].runs.length === 3); })()")
    page.evaluate("document.querySelector('[data-section=train]').scrollIntoView()")
    page.wait_for_timeout(400)
    pixels = png_pixels(page.screenshot())
    for key in ("train/loss", "train/acc"):
        area = page.query_selector(f"[data-panel='{key}'] .plot .area")
        box = area.bounding_box() if area else None
        assert box is not None
        crop = pixels[round(box["y"]):round(box["y"] + box["height"]),
                      round(box["x"]):round(box["x"] + box["width"])]
        r, g, b = crop[:, :, 0], crop[:, :, 1], crop[:, :, 2]
        green = int(((g - r > 40) & (g - b > 40)).sum())  # tab10[2], #2ca02c
        assert green > 50, f"{key}: the new run's green line, got {green} pixels"


def test_the_demo_waves_are_drawn_against_the_x_their_series_names(
        demo_server, page: Page) -> None:
    """demo-waves (t, wave, value) names t as its x: its panels are drawn against t (0 to
    2.95 over the 60 steps logged), not against its first int field, wave (0 to 7)."""
    page.goto(demo_server.web_url)
    wait_until(page, "document.querySelector(\"[data-section='demo-waves']\") !== null")
    assert page.inner_text("[data-section=demo-waves] summary").endswith("x = t")
    keys = page.eval_on_selector_all("[data-section=demo-waves] [data-panel]",
                                      "ps => ps.map(p => p.dataset.panel)")
    assert keys == ["demo-waves/wave", "demo-waves/value"]
    name = "workspace demo-waves value"
    # Scrolled to on every poll: the demo keeps logging, and the workspace may draw the
    # panel's element anew while it lists what arrived (a Locator scrolled once found it
    # detached in CI).
    wait_until(page, "(() => { document.querySelector(\"[data-panel='demo-waves/value']\")"
                     "?.scrollIntoView({block: 'center'});"
                     " const p = window.__streamvis.plots().find(x => x.name ==="
                     f" '{name}'); return p && p.firstFullRenderAt !== null"
                     " && p.datasets[0].loaded && p.datasets[0].points > 0; })()", timeout=30)
    plot = page.evaluate("(() => { const p = window.__streamvis.plots().find(x => x.name === "
                         f"'{name}'); return {{ ...p.xAxis, x0: p.view.x0, x1: p.view.x1,"
                         " error: p.datasets[0].error }; })()")
    assert plot["error"] is None and plot["title"] == "t", plot
    assert -0.5 <= float(plot["x0"]) <= 0.1 and 2.9 <= float(plot["x1"]) <= 3.5, plot
    # The axis reads out t's values: fractions of a second, not wave numbers.
    assert any("." in t for t in plot["ticks"]), plot


#: Rows of the timed server: 60 steps, one every 2 s from 30 s after each run started.
T0 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC


@pytest.fixture(scope="module")
def timed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("ws-time") / "data")) as proc, \
            Client(proc.uri) as c:
        c.create_field("step", "int")
        c.create_field("loss", "float")
        c.create_series("train", ["step", "loss"])
        steps = np.arange(60)
        for i, started in enumerate((T0, T0 + 3_600.0)):
            run = c.create_run(started_at=started)
            c.append(run.handle, "train", {"step": steps, "loss": 1 / (steps + 1 + i),
                                           "_time": started + 30 + 2.0 * steps})
        yield proc


def _x_axis(page: Page) -> dict[str, Any]:
    axis: dict[str, Any] = page.evaluate(
        "(() => { const p = window.__streamvis.plots()[0];"
        " return { ...p.xAxis, x0: p.view.x0, x1: p.view.x1 }; })()")
    return axis


def test_switching_x_to_time_since_start_redraws_against_it(timed_server, page: Page) -> None:
    page.goto(f"{timed_server.web_url}workspace")
    _drawn_panels(page, 1)
    step = _x_axis(page)
    assert step["title"] == "step" and step["x1"] < 70, step
    page.select_option("[data-testid=x-axis]", "elapsed")
    wait_until(page, "location.search.includes('x=elapsed')")
    wait_until(page, "window.__streamvis.plots()[0]?.xAxis.title === '_elapsed'")
    _drawn_panels(page, 1)
    elapsed = _x_axis(page)
    # Both runs over the same seconds, 30 to 148 since each started: numbers, not clock times.
    assert 20 <= float(elapsed["x0"]) <= 30 and 148 <= float(elapsed["x1"]) <= 160, elapsed
    ticks = elapsed["ticks"]
    assert isinstance(ticks, list) and ticks and ticks != step["ticks"], (step, elapsed)
    assert all(t.replace(".", "").isdigit() for t in ticks), ticks
    assert page.inner_text("[data-section=train] summary").endswith("x = _elapsed")
    # Wall-clock time: a time axis with clock labels, over the two runs an hour apart.
    page.select_option("[data-testid=x-axis]", "time")
    wait_until(page, "window.__streamvis.plots()[0]?.xAxis.title === '_time'")
    _drawn_panels(page, 1)
    wall = _x_axis(page)
    assert float(wall["x0"]) <= T0 + 30 and float(wall["x1"]) >= T0 + 3_600 + 148, wall
    assert any(":" in t for t in wall["ticks"]), wall
    # The choice is in the URL: a reload keeps it.
    page.reload()
    _drawn_panels(page, 1)
    assert page.input_value("[data-testid=x-axis]") == "time"
    assert _x_axis(page)["title"] == "_time"


def test_a_cloud_series_is_a_distribution_panel_after_the_metrics(demo_server, page: Page) -> None:
    """The demo's point cloud has 10,000 rows per snapshot: its panels are percentile bands
    over the step (the histogram kind's distribution view), in a section after the lines."""
    page.goto(demo_server.web_url)
    wait_until(page, "document.querySelector(\"[data-section='demo-cloud']\") !== null"
                     " && [...document.querySelectorAll('[data-section]')].map(s =>"
                     " s.dataset.section).indexOf('demo-cloud') > [...document.querySelectorAll("
                     "'[data-section]')].map(s => s.dataset.section).indexOf('demo-train')")
    sections = page.eval_on_selector_all("[data-section]", "ss => ss.map(s => s.dataset.section)")
    assert sections.index("demo-train") < sections.index("demo-cloud")
    # Scrolled to on every poll, as the demo-waves panel above.
    wait_until(page, "(() => { document.querySelector(\"[data-panel='demo-cloud/x']\")"
                     "?.scrollIntoView({block: 'center'});"
                     " const p = window.__streamvis.plots().find(x => x.name ==="
                     " 'workspace demo-cloud x'); return p && p.firstFullRenderAt !== null"
                     " && p.datasets[0].loaded && p.datasets[0].points > 0; })()", timeout=30)
    page.wait_for_timeout(400)
    plot = page.evaluate(
        "window.__streamvis.plots().find(x => x.name === 'workspace demo-cloud x')")
    assert plot["kind"] == "histogram" and plot["datasets"][0]["error"] is None
    runs = plot["datasets"][0]["runs"]
    assert len(runs) == 2
    area = page.query_selector("[data-panel='demo-cloud/x'] .plot .area")
    box = area.bounding_box() if area else None
    assert box is not None
    crop = png_pixels(page.screenshot())[round(box["y"]):round(box["y"] + box["height"]),
                                         round(box["x"]):round(box["x"] + box["width"])]
    # Tinted, not gray (the grid): the outer bands take a quarter of a run's color.
    colored = (crop.max(axis=-1) - crop.min(axis=-1)) > 15
    assert colored.mean() > 0.05, "the bands cover part of the panel"
    # Bands per run, each in its run's color (the run list's swatch): the band around the
    # median takes the run's color whole, so each swatch's color is among the pixels.
    pixels = crop.reshape(-1, crop.shape[-1])[:, :3].astype(int)
    for run in runs:
        swatch = page.eval_on_selector(
            f"li[data-run='{run}'] .swatch", "e => getComputedStyle(e).backgroundColor")
        rgb = np.array([int(v) for v in swatch[swatch.index("(") + 1:swatch.index(")")]
                        .split(",")[:3]])
        near = np.abs(pixels - rgb).max(axis=1) <= 6
        # Its middle band at 3 snapshots: a few narrow boxes of a few hundred pixels.
        assert near.sum() > 40, f"run {run[:8]}'s color ({swatch}) is drawn"
    # The line panels of the same page stay lines.
    line = page.evaluate(
        "window.__streamvis.plots().find(x => x.name === 'workspace demo-train loss')")
    assert line is None or line["kind"] == "line"


def test_a_text_field_and_its_expected_field_are_one_diff_panel(
        tmp_path_factory: pytest.TempPathFactory, page: Page) -> None:
    """`answer` and `expected` (the text kind's expected role, paired by name) make one
    panel: the answer's words diffed against the expected ones, not two texts apart."""
    with ServerProcess(str(tmp_path_factory.mktemp("ws-diff") / "data")) as proc, \
            Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("answer", "string"), ("expected", "string")):
            c.create_field(name, kind)
        c.create_series("qa", ["step", "answer", "expected"])
        run = c.create_run(tags=["diff"])
        c.append(run.handle, "qa", {"step": np.arange(2),
                                    "answer": np.array(["a cat", "the red fox"]),
                                    "expected": np.array(["a cat", "the quick fox"])})
        page.goto(f"{proc.web_url}workspace")
        page.wait_for_selector("[data-panel='qa/answer'] pre.diff", timeout=30_000)
        panels = page.eval_on_selector_all("[data-panel]", "ps => ps.map(p => p.dataset.panel)")
        assert "qa/expected" not in panels
        diff = page.locator("[data-panel='qa/answer'] pre.diff").first
        assert diff.locator("ins").all_text_contents() == ["red"]
        assert diff.locator("del").all_text_contents() == ["quick"]
