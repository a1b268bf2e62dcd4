"""Progress bars: drawn by tqdm when installed, else by our own drawer; logged either way
at most once a second plus the first and the last state."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from streamvis.logger.progress import Progress
from streamvis.model import capture as cap


class Log:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def __call__(self, **values: Any) -> None:
        self.rows.append(values)


@pytest.fixture(params=["tqdm", "own"])
def drawer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "tqdm":
        pytest.importorskip("tqdm")  # a dev dependency (pyproject.toml)
    else:
        monkeypatch.setitem(sys.modules, "tqdm", None)  # as if it were not installed
    return str(request.param)


def test_a_bar_draws_and_logs_first_and_last(drawer: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    log = Log()
    bar: Progress[int] = Progress(log, range(1000), None, "epoch 0", {})
    assert sum(bar) == sum(range(1000))
    err = capsys.readouterr().err
    assert "epoch 0" in err
    assert "1000/1000" in err
    assert err.endswith("\n")
    assert (bar._tqdm is None) == (drawer == "own")  # which drawer drew
    # Updates within a second are not logged one by one.
    assert 2 <= len(log.rows) <= 4
    first, last = log.rows[0], log.rows[-1]
    assert (first[cap.PROGRESS_DONE], last[cap.PROGRESS_DONE]) == (0, 1000)
    assert {r[cap.PROGRESS_TOTAL] for r in log.rows} == {1000}
    assert last[cap.PROGRESS_RATE] > 0
    assert set(last) == set(cap.SERIES[cap.PROGRESS_SERIES])


@pytest.mark.usefixtures("drawer")
def test_a_spinner_has_no_total_and_closes_once() -> None:
    log = Log()
    with Progress[int](log, None, None, "load", {}) as spin:
        spin.update(2)
        spin.update(3)
        spin.close()
    assert log.rows[-1][cap.PROGRESS_TOTAL] == -1
    assert log.rows[-1][cap.PROGRESS_DONE] == 5
    assert len([r for r in log.rows if r[cap.PROGRESS_DONE] == 5]) == 1
    with pytest.raises(TypeError, match="update"):
        iter(spin).__next__()
