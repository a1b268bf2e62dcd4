"""The text and table kinds in the browser, each saved as a plot and opened from its
dashboard URL: a word diff marks the inserted and deleted words (inline and side by side),
markdown renders, HTML is sanitized and shown in a sandbox, an SVG is an image whose
script never runs (every test fails on any dialog), and a table sorts, pages and takes
new rows live, read from its cells.

With STREAMVIS_SCREENSHOTS=1 the tests also write docs/images/text-*.png and table.png.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .explore_fixtures import open_saved_plot, wait_until
from .test_kinds import png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
EXPECTED = "the quick brown fox jumps over the dog"
ACTUAL = "the slow brown fox jumps over the lazy dog"
MARKDOWN = "# Heading One\n\nSome *emphasis* and a list:\n\n- first\n- second\n"
HTML = ('<p id="safe">Safe part <b>bold</b></p><script>alert(1)</script>'
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">link</a>')
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="alert(1)">'
       '<script>alert(1)</script><rect width="120" height="60" fill="#ff0000"/></svg>')
N = 120
DASH = "\u2013"  # the page label's "1\u201350 of 120"
RNG = np.random.default_rng(5)
SCORE = RNG.normal(0, 1, N).round(4)
#: The seeded run's handle, for the live test's append.
SEEDED: dict[str, Any] = {}

PLOTS: dict[str, dict[str, Any]] = {
    "text-diff": {"kind": "text", "datasets": [{"series": "samples", "bindings": {
        "text": "out", "expected": "want", "frame": "step"}}]},
    "text-md": {"kind": "text", "format": "markdown",
                "datasets": [{"series": "docs", "bindings": {"text": "md"}}]},
    "text-html": {"kind": "text", "format": "html",
                  "datasets": [{"series": "docs", "bindings": {"text": "html"}}]},
    "text-svg": {"kind": "text", "format": "svg",
                 "datasets": [{"series": "docs", "bindings": {"text": "svg"}}]},
    "table": {"kind": "table", "datasets": [{"series": "rows", "bindings": {}}]},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("textable"))) as proc, \
            Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("out", "string"), ("want", "string"),
                           ("md", "string"), ("html", "string"), ("svg", "string"),
                           ("score", "float"), ("name", "string")):
            c.create_field(name, kind)
        c.create_series("samples", ["step", "out", "want"])
        c.create_series("docs", ["step", "md", "html", "svg"])
        c.create_series("rows", ["step", "score", "name"])
        run = c.create_run(tags=["textable"])
        SEEDED["run"] = run.handle
        c.append(run.handle, "samples", {
            "step": np.array([0, 1]), "out": np.array(["early", ACTUAL], dtype=object),
            "want": np.array([EXPECTED, EXPECTED], dtype=object)})
        c.append(run.handle, "docs", {
            "step": np.array([0]), "md": np.array([MARKDOWN], dtype=object),
            "html": np.array([HTML], dtype=object), "svg": np.array([SVG], dtype=object)})
        c.append(run.handle, "rows", {
            "step": np.arange(N), "score": SCORE,
            "name": np.array([f"row {i:03d}" for i in range(N)], dtype=object)})
        for name, spec in PLOTS.items():
            c.save_plot(name, spec)
        yield proc


def _open(page: Page, server: ServerProcess, plot: str) -> list[str]:
    """Open the dashboard of `plot`; the dialogs raised (a test fails on any)."""
    return open_saved_plot(page, server, plot)


def _shoot(page: Page, name: str) -> None:
    if os.environ.get("STREAMVIS_SCREENSHOTS") == "1":
        page.screenshot(path=str(IMAGES / name))


def test_a_text_diff_marks_inserted_and_deleted_words(server: ServerProcess,
                                                       page: Page) -> None:
    dialogs = _open(page, server, "text-diff")
    wait_until(page, "document.querySelectorAll('pre.diff ins').length > 0")
    inserted = [t.strip() for t in page.locator("pre.diff.inline ins").all_inner_texts()]
    deleted = [t.strip() for t in page.locator("pre.diff.inline del").all_inner_texts()]
    assert inserted == ["slow", "lazy"]
    assert deleted == ["quick"]
    # The latest step (1) is shown, not the first.
    assert "step 1" in page.inner_text(".text-plot section header")
    _shoot(page, "text-diff.png")
    page.check(".text-plot .bar input[type=checkbox]")
    wait_until(page, "document.querySelector('pre.diff.expected') !== null")
    assert page.inner_text("pre.diff.expected") == EXPECTED
    assert page.inner_text("pre.diff.actual") == ACTUAL
    assert [t.strip() for t in page.locator("pre.diff.expected del").all_inner_texts()] == [
        "quick"]
    assert [t.strip() for t in page.locator("pre.diff.actual ins").all_inner_texts()] == [
        "slow", "lazy"]
    # Live: a new step shows up without a reload, as the latest.
    with Client(server.uri) as c:
        c.append(SEEDED["run"], "samples", {
            "step": np.array([2]), "out": np.array([ACTUAL], dtype=object),
            "want": np.array([EXPECTED], dtype=object)})
    wait_until(page, "document.querySelector('.text-plot section header')"
                     ".innerText.includes('step 2')")
    # The frame slider goes back to step 0, whose text is all new.
    page.uncheck(".frame input[type=checkbox]")
    page.locator(".frame input[type=range]").fill("0")
    wait_until(page, "document.querySelector('pre.diff.actual')?.innerText === 'early'")
    assert not dialogs


def test_markdown_renders(server: ServerProcess, page: Page) -> None:
    dialogs = _open(page, server, "text-md")
    page.wait_for_selector(".markdown h1")
    assert page.inner_text(".markdown h1") == "Heading One"
    assert page.inner_text(".markdown em") == "emphasis"
    assert page.locator(".markdown li").all_inner_texts() == ["first", "second"]
    _shoot(page, "text-markdown.png")
    assert not dialogs


def test_html_is_sanitized_in_a_sandbox(server: ServerProcess, page: Page) -> None:
    dialogs = _open(page, server, "text-html")
    frame_el = page.wait_for_selector("iframe.html")
    assert frame_el is not None
    assert frame_el.get_attribute("sandbox") == ""  # no allow-scripts, no same origin
    frame = page.frame_locator("iframe.html")
    assert frame.locator("#safe").inner_text() == "Safe part bold"
    assert frame.locator("script").count() == 0
    assert frame.locator("img[onerror]").count() == 0
    assert frame.locator("a[href^=javascript]").count() == 0
    time.sleep(0.5)  # a payload that ran would have raised its dialog by now
    _shoot(page, "text-html.png")
    assert not dialogs


def test_svg_is_an_image_whose_script_never_runs(server: ServerProcess, page: Page) -> None:
    dialogs = _open(page, server, "text-svg")
    img = page.wait_for_selector("img.svg")
    assert img is not None
    wait_until(page, "document.querySelector('img.svg').naturalWidth > 0")
    assert page.evaluate("document.querySelector('img.svg').naturalWidth") == 120
    assert page.locator(".text-plot svg").count() == 0  # never inlined as markup
    # The red rectangle is drawn: the middle of the image is red.
    box = img.bounding_box()
    assert box is not None
    shot = page.screenshot(clip={"x": box["x"] + box["width"] / 2, "y": box["y"] +
                                 box["height"] / 2, "width": 1, "height": 1})
    r, g, b = png_pixels(shot)[0, 0, :3]
    assert r > 200 and g < 60 and b < 60, (r, g, b)
    time.sleep(0.5)
    _shoot(page, "text-svg.png")
    assert not dialogs


def _column(page: Page, name: str) -> list[str]:
    headers = [h.strip(" ▲▼") for h in page.locator(".table-plot th").all_inner_texts()]
    i = headers.index(name) + 1
    return page.locator(f".table-plot tbody td:nth-child({i})").all_inner_texts()


def test_a_table_sorts_pages_and_grows_live(server: ServerProcess, page: Page) -> None:
    dialogs = _open(page, server, "table")
    wait_until(page, "document.querySelectorAll('.table-plot tbody tr').length === 50")
    assert page.inner_text(".page-label") == f"1{DASH}50 of {N}"
    assert _column(page, "step") == [str(i) for i in range(50)]
    page.click(".table-plot th button:has-text('score')")
    ascending = np.sort(SCORE)
    wait_until(page, "document.querySelector('th[aria-sort=ascending]') !== null && "
                     "document.querySelector('.table-plot tbody td:nth-child(2)') !== null")
    wait_until(page, f"[...document.querySelectorAll('.table-plot tbody tr')].length === 50 && "
                     f"document.querySelector('.table-plot tbody tr td:nth-child(3)')"
                     f".innerText === {str(ascending[0])!r}")
    assert [float(v) for v in _column(page, "score")] == ascending[:50].tolist()
    page.click(".table-plot th button:has-text('score')")  # again: descending
    wait_until(page, "document.querySelector('th[aria-sort=descending]') !== null && "
                     f"document.querySelector('.table-plot tbody tr td:nth-child(3)')"
                     f".innerText === {str(ascending[-1])!r}")
    page.click("button[aria-label='next page']")
    wait_until(page, f"document.querySelector('.page-label').innerText === '51{DASH}100 of {N}'")
    wait_until(page, "document.querySelector('.table-plot tbody tr td:nth-child(3)')"
                     f".innerText === {str(ascending[::-1][50])!r}")
    assert [float(v) for v in _column(page, "score")] == ascending[::-1][50:100].tolist()
    _shoot(page, "table.png")
    # A filter on the server: one name, one row.
    page.select_option("select[aria-label='filter column']", "name")
    page.fill("input[aria-label='filter value']", "row 007")
    page.click("form.filter button[type=submit]")
    wait_until(page, f"document.querySelector('.page-label').innerText === '1{DASH}1 of 1'")
    assert _column(page, "name") == ["row 007"]
    page.select_option("select[aria-label='filter column']", "")
    page.click("form.filter button[type=submit]")
    wait_until(page, f"document.querySelector('.page-label').innerText === '1{DASH}50 of {N}'")
    # Live: rows appended now show up without a reload.
    with Client(server.uri) as c:
        c.append(SEEDED["run"], "rows", {"step": np.arange(N, N + 10), "score": np.full(10, 99.0),
                               "name": np.array(["new"] * 10, dtype=object)})
    wait_until(page, f"document.querySelector('.page-label').innerText === '1{DASH}50 of {N + 10}'")
    assert _column(page, "score")[:10] == ["99"] * 10  # sorted descending: the new ones first
    assert not dialogs


def test_the_builder_offers_text_with_its_type_rule(server: ServerProcess, page: Page) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(server.web_url + "build")
    page.select_option("select[aria-label='plot kind']", "text")
    page.select_option("select[aria-label='series of dataset 1']", "samples")
    page.wait_for_selector(".count")
    for name in ("step", "out", "want"):
        label = page.locator(f"[data-dataset='0'] .picks label:has-text('{name}') input")
        if not label.is_checked():
            label.check()
    page.select_option("select[aria-label='bind text']", "step")
    assert page.inner_text(".refusal[data-role=text]") == (
        '"step" is int: text is shown as text, so it needs strings (string)')
    page.select_option("select[aria-label='bind text']", "out")
    page.select_option("select[aria-label='bind expected']", "want")
    assert page.query_selector(".refusal[data-role=text]") is None
    # The preview is the text plot itself: the diff of the latest step.
    page.wait_for_selector(".preview pre.diff ins")
    assert [t.strip() for t in page.locator(".preview pre.diff ins").all_inner_texts()] == [
        "slow", "lazy"]
    page.select_option("select[aria-label='plot kind']", "table")
    wait_until(page, "document.querySelector('.preview .table-plot tbody tr') !== null")
    assert [h.strip(" \u25b2\u25bc") for h in page.locator(".preview th").all_inner_texts()] == [
        "run", "step", "out", "want"]
    assert not dialogs
