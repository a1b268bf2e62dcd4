"""The older APIs' one-call plots against a real server: rows, saved plot, dashboard."""

from __future__ import annotations

import numpy as np
import pytest

import streamvis
from streamvis.client import Client
from streamvis.legacy import ColorSpec, GridSpec, Plots
from streamvis.model.errors import InvalidArgumentError
from tests.served import series_rows

pytestmark = pytest.mark.usefixtures("private_cache")


def test_tandem_and_multi_lines_make_series_plots_and_a_dashboard(uri: str) -> None:
    plots = Plots(uri, dashboard="old", strict=True)
    for step in range(3):
        plots.tandem_lines("losses", step, [1.0 / (step + 1), 2.0 * step])
    plots.multi_lines("curves", [[0, 1, 2], [5, 4, 3]])
    plots.multi_lines("curves", np.ones((2, 3)))
    assert plots.stop().delivered
    run = plots.logger.run_handle
    assert series_rows(uri, run, "losses") == {
        "call": [0, 0, 1, 1, 2, 2], "x": [0.0, 0.0, 1.0, 1.0, 2.0, 2.0],
        "y": [1.0, 0.0, 0.5, 2.0, 1 / 3, 4.0], "line": [0, 1, 0, 1, 0, 1]}
    curves = series_rows(uri, run, "curves")
    assert curves["call"] == [0] * 6 + [1] * 6
    assert curves["y"][:6] == [0, 1, 2, 5, 4, 3]
    assert curves["line"][:6] == [0, 0, 0, 1, 1, 1]
    with Client(uri) as client:
        losses, curves_plot = client.plot("losses"), client.plot("curves")
        board = client.dashboard("old")
    assert losses["datasets"][0]["bindings"] == {"x": "x", "y": "y", "group": "line",
                                                 "color": "line"}
    # append=False (multi_lines' default): the latest call only, older ones a slider away.
    assert curves_plot["datasets"][0]["bindings"]["frame"] == "call"
    assert losses["datasets"][0]["filter"] == {"handles": [str(run)]}
    assert board["layout"] == "rows=losses;curves"


def test_visdom_line_appends_or_replaces_and_set_layout_arranges(uri: str) -> None:
    plots = Plots(uri, dashboard="vis", strict=True)
    win = plots.line(Y=[1.0, 2.0], X=[0.0, 1.0], win="acc", update="append")
    plots.line(Y=[3.0], X=[2.0], win=win, update="append")
    two = plots.line(Y=np.array([[1.0, 10.0], [2.0, 20.0]]), win="pair")
    plots.set_layout([[win, two]])
    assert plots.stop().delivered
    run = plots.logger.run_handle
    assert series_rows(uri, run, "acc") == {"call": [0, 0, 1], "x": [0.0, 1.0, 2.0],
                                      "y": [1.0, 2.0, 3.0], "line": [0, 0, 0]}
    assert series_rows(uri, run, "pair") == {"call": [0] * 4, "x": [0.0, 0.0, 1.0, 1.0],
                                       "y": [1.0, 10.0, 2.0, 20.0], "line": [0, 1, 0, 1]}
    with Client(uri) as client:
        assert "frame" not in client.plot("acc")["datasets"][0]["bindings"]
        assert client.plot("pair")["datasets"][0]["bindings"]["frame"] == "call"
        assert client.dashboard("vis")["layout"] == "rows=acc,pair"


def test_bad_shapes_and_updates_are_refused(uri: str) -> None:
    plots = Plots(uri, strict=True)
    with pytest.raises(InvalidArgumentError, match=r"give \[lines, points\]"):
        plots.multi_lines("bad", [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="update='sideways'"):
        plots.line(Y=[1.0], update="sideways")
    with pytest.raises(InvalidArgumentError, match="must be numbers"):
        plots.tandem_lines("bad", 0, ["a", object()])
    plots.stop()


def test_scatter_colors_and_panels_by_index_dimensions(uri: str) -> None:
    plots = Plots(uri, dashboard="sc", strict=True)
    # [panels=2, colors=3, xy=2]: x = 10 * panel + color, y = -x
    data = np.zeros((2, 3, 2))
    for p in range(2):
        for c in range(3):
            data[p, c] = (10 * p + c, -(10 * p + c))
    plots.scatter("cloud", data, spatial_dim=2, append=False,
                  color=ColorSpec("viridis", dim=1), grid=GridSpec(dim=0, num_columns=2))
    plots.scatter("plain", np.array([[1.0, 2.0], [3.0, 4.0]]).T, spatial_dim=0)
    assert plots.stop().delivered
    run = plots.logger.run_handle
    cloud = series_rows(uri, run, "cloud")
    assert cloud["x"] == [0.0, 1.0, 2.0, 10.0, 11.0, 12.0]
    assert cloud["y"] == [-v for v in cloud["x"]]
    assert cloud["color"] == [0, 1, 2, 0, 1, 2]
    assert cloud["panel"] == [0, 0, 0, 1, 1, 1]
    plain = series_rows(uri, run, "plain")  # spatial_dim=0: row 0 the xs, row 1 the ys
    assert (plain["x"], plain["y"]) == ([1.0, 3.0], [2.0, 4.0])
    with Client(uri) as client:
        spec = client.plot("cloud")
        assert client.plot("plain")["datasets"][0]["bindings"] == {"x": "x", "y": "y"}
    assert spec["kind"] == "scatter"
    assert spec["palette"] == "viridis"
    assert spec["facet"] == {"columns": 2}
    assert spec["datasets"][0]["bindings"] == {"x": "x", "y": "y", "color": "color",
                                               "facet": "panel", "frame": "call"}
    with pytest.raises(InvalidArgumentError, match="is not of size 2"):
        Plots(uri, strict=True).scatter("bad", np.zeros((3, 3)))


def test_visdom_image_is_a_series_row_per_call(uri: str) -> None:
    rng = np.random.default_rng(1)
    chw = rng.random((3, 6, 5))  # floats in [0, 1], channels first as visdom takes them
    grey = rng.integers(0, 256, (4, 4)).astype(np.float64)  # visdom's 0..255 floats
    plots = Plots(uri, dashboard="img", strict=True)
    win = plots.image(chw, win="sample", opts={"caption": "epoch 0"})
    plots.image(grey, win=win)
    assert plots.stop().delivered
    run = plots.logger.run_handle
    with streamvis.connect(uri) as sv:
        rows = sv.fetch("sample", runs=[str(run)])
        assert rows.column("call").to_pylist() == [0, 1]
        assert rows.column("caption").to_pylist() == ["epoch 0", ""]
        first, second = (sv.media(r, as_="numpy") for r in rows.column("image").to_pylist())
        assert first.shape == (6, 5, 3)
        assert np.abs(first.astype(float) - chw.transpose(1, 2, 0) * 255).max() <= 1
        assert np.array_equal(second.reshape(4, 4), grey.astype(np.uint8))
    with Client(uri) as client:  # no media panel yet: no plot, no dashboard cell
        assert "sample" not in {p["name"] for p in client.plots()}


def test_visdom_text_saves_a_text_plot_and_appends_as_visdom_does(uri: str) -> None:
    plots = Plots(uri, dashboard="txt", strict=True)
    win = plots.text("<b>hello</b>", win="log")
    plots.text("second line", win=win, append=True)
    plots.text("fresh", win=win)
    assert plots.stop().delivered
    run = plots.logger.run_handle
    assert series_rows(uri, run, "log") == {
        "call": [0, 1, 2], "text": ["<b>hello</b>", "<b>hello</b><br>second line", "fresh"]}
    with Client(uri) as client:
        spec = client.plot("log")
        board = client.dashboard("txt")
        (text,) = [f for f in client.fields() if f.name == "text"]
    assert spec["kind"] == "text"
    assert spec["datasets"][0]["bindings"] == {"text": "text", "frame": "call"}
    assert board["layout"] == "rows=log"
    assert text.options.format == "html"
