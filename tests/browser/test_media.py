"""The media kind in the browser, each plot saved and opened from its dashboard URL: the
images of the step shown (a column per run; the frame slider picks the step), box
overlays drawn over them and hidden by the score threshold and the class filter, a mask
as a translucent layer, zoom to full size, audio and video players that load, a media
cell in a table, and a new step appearing live. Pixels are read from screenshots.

With STREAMVIS_SCREENSHOTS=1 the tests also write docs/images/media-*.png.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import streamvis
from streamvis.testing import ServerProcess

from .explore_fixtures import open_saved_plot, wait_until
from .test_kinds import png_pixels

if TYPE_CHECKING:
    from playwright.sync_api import Page

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
SIZE = 32
#: The color of run A's image at each step, and of run B's at step 2.
COLORS = {0: (220, 40, 40), 1: (40, 200, 40), 2: (128, 128, 128)}
OTHER = (40, 200, 200)
#: Step 2's boxes in run A: a "cat" scored 0.9 and a "dog" scored 0.3.
CAT = (4.0, 4.0, 28.0, 28.0)
DOG = (10.0, 10.0, 22.0, 22.0)
RUNS: dict[str, str] = {}

PLOTS: dict[str, dict[str, Any]] = {
    "pics": {"kind": "media", "datasets": [
        {"series": "pics", "bindings": {"media": "img", "frame": "step"}},
        {"series": "pics.boxes", "bindings": {
            "x0": "box.x0", "y0": "box.y0", "x1": "box.x1", "y1": "box.y1",
            "label": "box.label", "score": "box.score"}}]},
    "masked": {"kind": "media", "datasets": [
        {"series": "masked", "bindings": {"media": "img", "mask": "mask"}}]},
    "sound": {"kind": "media", "datasets": [{"series": "clips", "bindings": {"media": "clip"}}]},
    "film": {"kind": "media", "datasets": [{"series": "clips", "bindings": {"media": "vid"}}]},
    "pics-table": {"kind": "table", "datasets": [{"series": "pics", "bindings": {
        "column": ["step", "img"]}}]},
    "pics-by-run": {"kind": "media", "datasets": [
        {"series": "pics", "bindings": {"media": "img", "frame": "step", "facet": "run"}}]},
    "wide": {"kind": "media", "datasets": [{"series": "wide", "bindings": {"media": "img"}}]},
}
#: The "wide" series' image: wider than the panel shows it, so it is sent scaled down.
WIDE = (2048, 128)


def halves() -> np.ndarray:
    """WIDE, its left half red and its right half blue."""
    img = np.zeros((WIDE[1], WIDE[0], 3), np.uint8)
    img[:, : WIDE[0] // 2] = (220, 40, 40)
    img[:, WIDE[0] // 2:] = (40, 40, 220)
    return img


def solid(color: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(color, np.uint8), (SIZE, SIZE, 3)).copy()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("media")
    with ServerProcess(str(tmp)) as proc:
        streamvis.declare_schema(
            {"step": "int", "img": "image", "mask": "image", "clip": "audio", "vid": "video"},
            {"pics": ["step", "img"], "masked": ["step", "img", "mask"],
             "clips": ["step", "clip", "vid"], "wide": ["step", "img"]}, uri=proc.uri)
        with streamvis.DataLogger(uri=proc.uri, spool_dir=tmp / "a", strict=True) as lg:
            RUNS["a"] = str(lg.run_handle)
            for step, color in COLORS.items():
                boxes = [CAT, DOG] if step == 2 else [(1.0, 1.0, 5.0, 5.0)]
                labels = ["cat", "dog"] if step == 2 else ["cat"]
                scores = [0.9, 0.3] if step == 2 else [0.5]
                lg.image("pics", solid(color), step=step, boxes=boxes, labels=labels,
                         scores=scores)
            mask = np.zeros((SIZE, SIZE), np.uint8)
            mask[:, : SIZE // 2] = 255
            lg.write("masked", step=0, img=solid((128, 128, 128)),
                     mask=np.stack([mask] * 3, axis=-1))
            t = np.arange(4000) / 8000
            tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            frames = np.zeros((8, SIZE, SIZE, 3), np.uint8)
            frames[:, :, :, 0] = np.arange(8, dtype=np.uint8)[:, None, None] * 30
            lg.write("clips", step=0, clip=streamvis.Audio(tone, 8000), vid=frames)
            lg.write("wide", step=0, img=halves())
        with streamvis.DataLogger(uri=proc.uri, spool_dir=tmp / "b", strict=True) as lg:
            RUNS["b"] = str(lg.run_handle)
            lg.write("pics", step=2, img=solid(OTHER))
        with streamvis.connect(proc.uri) as sv:
            for name, spec in PLOTS.items():
                sv.client.save_plot(name, spec)
        yield proc


def _open(page: Page, server: ServerProcess, plot: str) -> list[str]:
    page.set_viewport_size({"width": 900, "height": 1000})
    return open_saved_plot(page, server, plot)


def _shoot(page: Page, name: str) -> None:
    if os.environ.get("STREAMVIS_SCREENSHOTS") == "1":
        page.screenshot(path=str(IMAGES / name))


def _image(page: Page, run: str) -> str:
    """The selector of run `run`'s first image, once it is decoded."""
    sel = f".media-plot section.run[data-run='{RUNS[run]}'] .image"
    wait_until(page, f'(() => {{ const i = document.querySelector("{sel} img");'
                     " return i !== null && i.complete && i.naturalWidth > 0; })()")
    return sel


def _pixel(page: Page, sel: str, x: float, y: float) -> tuple[int, int, int]:
    """The screen color at image pixel coordinates (x, y) of the image at `sel`."""
    box = page.locator(sel).bounding_box()
    assert box is not None
    shot = page.screenshot(clip={"x": box["x"] + x * box["width"] / SIZE,
                                 "y": box["y"] + y * box["height"] / SIZE,
                                 "width": 1, "height": 1})
    r, g, b = png_pixels(shot)[0, 0]
    return int(r), int(g), int(b)


def _near(got: tuple[int, int, int], want: tuple[int, int, int], tol: int = 12) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(got, want, strict=True))


def _shows(page: Page, sel: str, x: float, y: float, want: tuple[int, int, int]) -> bool:
    """Whether the screen at image pixel (x, y) turns `want` within a few seconds: an image
    element kept across steps paints its new picture a frame or so after it loaded."""
    deadline = time.monotonic() + 5
    while not _near(got := _pixel(page, sel, x, y), want):
        if time.monotonic() > deadline:
            print(f"{sel} at ({x}, {y}) shows {got}, not {want}")
            return False
        time.sleep(0.05)
    return True


def _stroke(page: Page, label: str) -> tuple[int, int, int]:
    """The color a box of class `label` is drawn in (read from the overlay)."""
    css = page.get_attribute(f".boxes rect[data-label='{label}']", "stroke") or ""
    hex_ = css.lstrip("#")
    if len(hex_) == 6:
        return int(hex_[0:2], 16), int(hex_[2:4], 16), int(hex_[4:6], 16)
    parts = css[css.index("(") + 1: css.index(")")].split(",")
    return int(parts[0]), int(parts[1]), int(parts[2])


def test_the_panel_shows_each_runs_latest_image_and_the_slider_picks_a_step(
    server: ServerProcess, page: Page,
) -> None:
    dialogs = _open(page, server, "pics")
    a, b = _image(page, "a"), _image(page, "b")
    assert page.locator(".media-plot section.run").count() == 2  # a column per run
    assert _near(_pixel(page, a, 16, 2), COLORS[2])
    assert _near(_pixel(page, b, 16, 16), OTHER)
    _shoot(page, "media-panel.png")
    page.uncheck(".frame input[type=checkbox]")
    page.locator(".frame input[type=range]").fill("0")
    wait_until(page, "document.querySelector('.media-plot').dataset.frame === '0'")
    a = _image(page, "a")
    wait_until(page, "document.querySelectorAll('.media-plot section.run').length === 1")
    assert _shows(page, a, 16, 16, COLORS[0])
    assert not dialogs


def test_boxes_are_drawn_and_hidden_by_the_threshold_and_the_class_filter(
    server: ServerProcess, page: Page,
) -> None:
    _open(page, server, "pics")
    a = _image(page, "a")
    wait_until(page, "document.querySelectorAll('.boxes rect').length === 2")
    cat, dog = _stroke(page, "cat"), _stroke(page, "dog")
    assert _near(_pixel(page, a, CAT[0], 16), cat)
    assert _near(_pixel(page, a, DOG[0], 16), dog)
    assert page.locator(".box-caption").all_inner_texts() == ["cat 0.90", "dog 0.30"]
    # A threshold of 0.5 hides the dog (0.3): its edge shows the image again.
    page.locator(".threshold input[type=range]").fill("0.5")
    wait_until(page, "document.querySelectorAll('.boxes rect').length === 1")
    assert _near(_pixel(page, a, DOG[0], 16), COLORS[2])
    assert _near(_pixel(page, a, CAT[0], 16), cat)
    # The class filter hides the cats.
    page.uncheck("input[data-class='cat']")
    wait_until(page, "document.querySelector('.boxes rect') === null")
    assert _near(_pixel(page, a, CAT[0], 16), COLORS[2])


def test_a_mask_is_a_translucent_layer(server: ServerProcess, page: Page) -> None:
    _open(page, server, "masked")
    sel = _image(page, "a")
    wait_until(page, "(() => { const m = document.querySelector('.image img.mask');"
                     " return m !== null && m.complete && m.naturalWidth > 0; })()")
    left, right = _pixel(page, sel, 8, 16), _pixel(page, sel, 24, 16)
    assert _near(left, (191, 191, 191), 6)  # half white over gray
    assert _near(right, (64, 64, 64), 6)  # half black over gray
    _shoot(page, "media-mask.png")


def test_a_click_zooms_to_full_size(server: ServerProcess, page: Page) -> None:
    _open(page, server, "pics")
    _image(page, "a")
    page.click(f".media-plot section.run[data-run='{RUNS['a']}'] button.zoom")
    page.wait_for_selector(".zoomed .image img")
    assert page.evaluate("document.querySelector('.zoomed .image').clientWidth") == SIZE
    page.keyboard.press("Escape")
    page.wait_for_selector(".zoomed", state="detached")


def test_audio_and_video_players_load(server: ServerProcess, page: Page) -> None:
    dialogs = _open(page, server, "sound")
    wait_until(page, "document.querySelector('audio')?.readyState >= 1")
    assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(0.5, 0.01)
    wait_until(page, "document.querySelector('canvas.waveform')?.dataset.state === 'drawn'")
    # The waveform is drawn: its middle row has the wave's color, not the background.
    shot = png_pixels(page.locator("canvas.waveform").screenshot())
    row = shot[shot.shape[0] // 2]
    assert int((np.abs(row - np.array([31, 119, 180])).sum(axis=1) < 30).sum()) > 10
    _shoot(page, "media-audio.png")
    _open(page, server, "film")
    wait_until(page, "document.querySelector('video')?.readyState >= 1")
    assert page.evaluate("document.querySelector('video').videoWidth") == SIZE
    assert page.evaluate("document.querySelector('video').duration") > 0
    assert not dialogs


def test_a_media_cell_in_a_table_is_a_thumbnail(server: ServerProcess, page: Page) -> None:
    _open(page, server, "pics-table")
    wait_until(page, "document.querySelectorAll('td.media img').length === 4")
    wait_until(page, "[...document.querySelectorAll('td.media img')]"
                     ".every((i) => i.complete && i.naturalWidth === 32)")
    colors = sorted(_pixel(page, f"tbody tr:nth-child({i + 1}) td.media .image", 16, 16)
                    for i in range(4))
    assert all(any(_near(c, w) for c in colors) for w in (*COLORS.values(), OTHER))


def test_a_new_step_appears_live(server: ServerProcess, page: Page, tmp_path: Path) -> None:
    _open(page, server, "pics")
    _image(page, "a")
    with streamvis.DataLogger(uri=server.uri, spool_dir=tmp_path, strict=True,
                              run_handle=RUNS["b"], resume=True) as lg:
        lg.write("pics", step=3, img=solid((250, 200, 0)))
    wait_until(page, f"document.querySelector(\".media-plot section.run[data-run='{RUNS['b']}']"
                     " .item\")?.dataset.step === '3'")
    assert _shows(page, _image(page, "b"), 16, 16, (250, 200, 0))
    # The step joins the frame slider (steps 0 to 3: four positions).
    wait_until(page, "document.querySelector('.frame input[type=range]').max === '3'")


def test_an_image_wider_than_shown_is_sent_scaled_down_and_zoom_gets_it_whole(
    server: ServerProcess, page: Page,
) -> None:
    _open(page, server, "wide")
    sel = ".media-plot .image"
    src = page.get_attribute(f"{sel} img", "src") or ""
    assert "&w=" in src  # the power of two over the width shown, in device pixels
    width = int(src.rsplit("&w=", 1)[1])
    shown = page.evaluate(f"document.querySelector('{sel}').clientWidth * devicePixelRatio")
    assert shown <= width < WIDE[0]
    # The first answer is the whole image (kept for seconds) while the server makes the
    # scaled one, which a later ask of the same URL gets.
    wait_until(page, f"fetch({src!r}, {{cache: 'no-store'}}).then((r) => r.blob())"
                     f".then(createImageBitmap).then((b) => b.width === {width})")
    wait_until(page, f'document.querySelector("{sel} img")?.complete === true')
    box = page.locator(sel).bounding_box()
    assert box is not None
    for x, want in ((0.1, (220, 40, 40)), (0.9, (40, 40, 220))):
        shot = page.screenshot(clip={"x": box["x"] + x * box["width"],
                                     "y": box["y"] + box["height"] / 2, "width": 1, "height": 1})
        r, g, b = png_pixels(shot)[0, 0]
        assert _near((int(r), int(g), int(b)), want)
    page.click(".media-plot button.zoom")
    wait_until(page, "(() => { const i = document.querySelector('.zoomed .image img');"
                     f" return i !== null && i.complete && i.naturalWidth === {WIDE[0]}; }})()")
    assert "&w=" not in (page.get_attribute(".zoomed .image img", "src") or "")


def test_a_faceted_media_panel_follows_the_slider_without_being_made_anew(
    server: ServerProcess, page: Page,
) -> None:
    _open(page, server, "pics-by-run")
    wait_until(page, "document.querySelectorAll('.media-plot').length === 2")
    # Mark each panel's element: a panel made anew for the next frame would lose the mark.
    page.evaluate("document.querySelectorAll('.media-plot').forEach((p) => (p.marked = true))")
    page.uncheck(".frame input[type=checkbox]")
    page.locator(".frame input[type=range]").fill("0")
    wait_until(page, "[...document.querySelectorAll('.media-plot')]"
                     ".every((p) => p.dataset.frame === '0')")
    a = f".cell .media-plot section.run[data-run='{RUNS['a']}'] .image"
    wait_until(page, f'document.querySelector("{a} img")?.complete === true')
    assert _shows(page, a, 16, 16, COLORS[0])
    assert page.evaluate("[...document.querySelectorAll('.media-plot')].every((p) => p.marked)")


def test_the_builder_joins_an_overlay_on_several_fields(server: ServerProcess, page: Page) -> None:
    # Run a's plot: its box series is then one the builder offers with its fields.
    spec = {**PLOTS["pics"], "datasets": [{**d, "filter": {"handles": [RUNS["a"]]}}
                                          for d in PLOTS["pics"]["datasets"]]}
    with streamvis.connect(server.uri) as sv:
        sv.client.save_plot("pics-a", spec)
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.goto(server.web_url + "build?plot=pics-a")
    join = "[data-dataset='1'] [data-role='join']"
    page.wait_for_selector(f"{join} input")
    page.check("[data-dataset='1'] .picks label:text-is('step') input")  # take the field
    page.check(f"{join} input[aria-label='join on step']")
    # A field of numbers is refused (join matches equal values), with the reason said.
    page.click(f"{join} input[aria-label='join on box.x0']")
    page.wait_for_selector("[data-dataset='1'] .refusal[data-role='join']:has-text('discrete')")
    assert not page.is_checked(f"{join} input[aria-label='join on box.x0']")
    page.check(f"{join} input[aria-label='join on box.label']")
    page.fill("input[aria-label='plot name']", "pics-joined")
    page.click("button:has-text('Save plot')")
    page.wait_for_selector("[role=status]:has-text('saved plot \"pics-joined\"')")
    with streamvis.connect(server.uri) as sv:
        spec = sv.client.plot("pics-joined")
    assert spec["datasets"][1]["bindings"]["join"] == ["step", "box.label"]
