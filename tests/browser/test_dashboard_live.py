"""Dashboards in the browser against a real server: a logger's writes appear within
`flush_every` + 1 s, a replaced run is redrawn with its new data, a deleted run
disappears, and a bad URL says what is wrong on the page.

What a plot shows is read back from the page through its test hook
(`window.__streamvis.plots()`, frontend/src/lib/testHook.ts): point counts, runs and
the last point, not pixels.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.logger import DataLogger
from streamvis.testing import ServerProcess

from .conftest import plots_state

FLUSH_EVERY = 0.5
#: The issue's promise: new points are on the page within flush_every + 1 s of `write`.
LIVE_DEADLINE_S = FLUSH_EVERY + 1.0

Shown = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("live") / "data")) as server:
        with Client(server.uri) as c:
            c.create_field("step", "int")
            c.create_field("loss", "float")
            c.create_series("train", ["step", "loss"])
        yield server


@pytest.fixture
def client(live_server: ServerProcess) -> Iterator[Client]:
    with Client(live_server.uri) as c:
        yield c


@pytest.fixture
def logger_for(live_server: ServerProcess, tmp_path: Path) -> Iterator[Callable[..., DataLogger]]:
    """Started DataLoggers to the server (stopped after the test), strict so that a
    logging problem fails the test rather than warning."""
    started: list[DataLogger] = []

    def make(handle: uuid.UUID) -> DataLogger:
        lg = DataLogger(live_server.uri, flush_every=FLUSH_EVERY, run_handle=handle,
                        strict=True, spool_dir=tmp_path / "spool").start()
        started.append(lg)
        return lg

    yield make
    for lg in started:
        lg.stop()


def save_plots(client: Client, handles: list[uuid.UUID]) -> str:
    """A line and a scatter plot of these runs only; the dashboard's query string."""
    name = f"t{uuid.uuid4().hex[:8]}"
    dataset = {"series": "train", "filter": {"handles": [str(h) for h in handles]},
               "bindings": {"x": "step", "y": "loss", "group": "run", "color": "run"}}
    client.save_plot(f"{name}-line", {"kind": "line", "datasets": [dataset]})
    client.save_plot(f"{name}-cloud", {"kind": "scatter", "datasets": [dataset]})
    return f"?rows={name}-line,{name}-cloud"


def shown(page: Any) -> Shown:
    """Per plot kind: points, runs and the last point, summed over its datasets."""
    out: Shown = {}
    for plot in plots_state(page):
        ds = plot["datasets"]
        assert plot["problem"] is None, plot
        assert all(d["error"] is None for d in ds), plot
        out[plot["kind"]] = {
            "points": sum(d["points"] for d in ds),
            "runs": sorted({r for d in ds for r in d["runs"]}),
            "last": (ds[0]["lastX"], ds[0]["lastY"]) if ds else None,
            "loaded": all(d["loaded"] for d in ds),
        }
    return out


def wait_shown(page: Any, test: Callable[[Shown], bool], what: str, timeout: float) -> None:
    """Poll the page until `test` holds; fail after `timeout` seconds."""
    t0 = time.monotonic()
    while True:
        now = shown(page)
        if len(now) == 2 and test(now):
            return
        if time.monotonic() - t0 > timeout:
            pytest.fail(f"{what}: after {timeout:.1f} s the page shows {now}")
        page.wait_for_timeout(20)


def open_dashboard(page: Any, server: ServerProcess, query: str) -> None:
    page.goto(f"{server.web_url}{query}")
    page.wait_for_function("() => window.__streamvis?.plots().length === 2")
    wait_shown(page, lambda s: all(p["loaded"] for p in s.values()), "the plots load", 15)


def write_steps(lg: DataLogger, steps: range, loss: Callable[[np.ndarray], np.ndarray]) -> None:
    x = np.arange(steps.start, steps.stop)
    lg.write("train", step=x, loss=loss(x))


def points_are(n: int) -> Callable[[Shown], bool]:
    return lambda s: all(p["points"] == n for p in s.values())


def level(value: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.full(len(x), value)


def test_a_loggers_writes_appear_live(page, live_server, client, logger_for):
    handle = uuid.uuid4()
    lg = logger_for(handle)
    write_steps(lg, range(10), lambda x: 1.0 / (x + 1))
    assert lg.flush()
    open_dashboard(page, live_server, save_plots(client, [handle]))
    first = shown(page)
    assert first["line"]["points"] == first["scatter"]["points"] == 10
    assert first["line"]["runs"] == [str(handle)]
    assert first["line"]["last"] == (9, pytest.approx(0.1))

    for n in (20, 35):  # twice: the first live update and one after it
        have = shown(page)["line"]["points"]
        t_write = time.monotonic()
        write_steps(lg, range(have, n), lambda x: 1.0 / (x + 1))
        left = LIVE_DEADLINE_S - (time.monotonic() - t_write)
        wait_shown(page, points_are(n), f"{n - have} new points appear", left)
        assert shown(page)["line"]["last"] == (n - 1, pytest.approx(1.0 / n))
        assert shown(page)["scatter"]["last"] == (n - 1, pytest.approx(1.0 / n))


def test_a_replaced_run_is_redrawn_and_a_deleted_run_disappears(page, live_server, client,
                                                                 logger_for):
    replaced, kept = uuid.uuid4(), uuid.uuid4()
    for handle, value in ((replaced, 10.0), (kept, 20.0)):
        lg = logger_for(handle)
        write_steps(lg, range(30), level(value))
        assert lg.stop()
    open_dashboard(page, live_server, save_plots(client, [replaced, kept]))
    assert shown(page)["line"]["points"] == 60

    # The same handle again: the run is replaced, its old 30 points go, the new 5 come.
    again = logger_for(replaced)
    write_steps(again, range(5), level(5.0))
    assert again.flush()
    wait_shown(page, points_are(35), "the replaced run shows its new data only", 5)
    assert shown(page)["line"]["runs"] == sorted([str(replaced), str(kept)])
    assert shown(page)["line"]["last"] == (29, 20.0)  # the kept run's line reaches further

    client.delete_run(kept)
    wait_shown(page, lambda s: all(p["runs"] == [str(replaced)] for p in s.values()),
               "the deleted run disappears", 5)
    for kind, plot in shown(page).items():
        assert plot["points"] == 5, kind
        assert plot["last"] == (4, 5.0), kind


@pytest.mark.parametrize(
    ("query", "title", "message"),
    [
        ("?rows=nosuchplot", "Plot nosuchplot", 'There is no saved plot named "nosuchplot"'),
        ("?rows=a,b&width=1,x", "This dashboard URL cannot be shown", "width"),
        ("?rows=a;;b", "This dashboard URL cannot be shown", "group 2 is empty"),
        ("?rows=a&axes=sideways", "This dashboard URL cannot be shown", "sideways"),
    ],
)
def test_a_bad_layout_says_what_is_wrong_on_the_page(page, live_server, query, title,
                                                      message):
    page.goto(f"{live_server.web_url}{query}")
    alert = page.get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert title in text and message in text, text
    assert "For example" in text  # and how a right one looks
