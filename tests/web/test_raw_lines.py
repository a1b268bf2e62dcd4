"""Short lines read raw: every run of a request in one query, exactly M4 over the raw rows."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pytest

from streamvis.store.base import Store
from streamvis.web import lod, lod_summaries, raw_lines
from streamvis.web import summary_lines as summary_lines_module
from streamvis.web.columns import ColumnCache
from streamvis.web.data_request import parse_data_request, resolve
from streamvis.web.http import AppState, WebConfig
from streamvis.web.summary_lines import summary_lines

from .helpers import append_train


class Reads:
    """Counts the store's raw reads (runs asked per query) and the summary walks."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.queries: list[int] = []
        self.walks = 0
        real_values, real_walk = store.line_values, lod_summaries.m4_summaries

        def values(series: str, field: str, asks: Any) -> Any:
            self.queries.append(len(asks))
            return real_values(series, field, asks)

        def walk(*args: Any, **kwargs: Any) -> Any:
            self.walks += 1
            return real_walk(*args, **kwargs)

        monkeypatch.setattr(store, "line_values", values)
        monkeypatch.setattr(summary_lines_module, "m4_summaries", walk)


def _answer(store: Store, cache: ColumnCache, **extra: Any) -> dict[uuid.UUID, Any]:
    body = {"series": "train", "kind": "line", "x": "step", "y": "loss", **extra}
    plan = resolve(parse_data_request(body), store.list_fields(), store.list_series())
    t = summary_lines(AppState(store, WebConfig(), cache), plan, store.list_runs(plan.filter))
    assert t is not None
    runs = np.array(t.column("run").to_pylist())
    return {uuid.UUID(r): (t.column("step").to_numpy()[runs == r],
                           t.column("loss").to_numpy()[runs == r]) for r in set(runs)}


def _lines(store: Store, n: int, chunks: int, seed: int) -> dict[uuid.UUID, tuple[Any, Any]]:
    """`n` runs of rows with gaps (NaN), spikes and repeated steps, appended in turns."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n):
        steps = np.cumsum(rng.integers(0, 3, 600 + 37 * i))
        loss = rng.normal(size=steps.size)
        loss[rng.random(steps.size) < 0.05] = np.nan
        loss[[3, 250, steps.size - 1]] = [40.0 + i, -40.0, 55.0]
        out[store.create_run().handle] = (steps, loss)
    for part in range(chunks):
        for steps, loss in out.values():
            at = np.array_split(np.arange(steps.size), chunks)[part]
            append_train(store, next(h for h, v in out.items() if v[0] is steps),
                         steps[at], loss[at])
    return out


def _check(got: dict[uuid.UUID, Any], lines: dict[uuid.UUID, tuple[Any, Any]],
           view: tuple[float | None, float | None, int]) -> None:
    lo, hi, pixels = view  # None: the ends of all runs' x
    x_min = float(min(s[0] for s, _ in lines.values())) if lo is None else lo
    x_max = float(max(s[-1] for s, _ in lines.values())) if hi is None else hi
    for run, (steps, loss) in lines.items():
        want, _ = lod.m4(steps, loss, x_min, x_max, pixels)
        x, y = got.get(run, (np.empty(0), np.empty(0)))
        assert x.tolist() == steps[want].tolist()
        np.testing.assert_array_equal(y, loss[want])


@pytest.mark.usefixtures("schema", "small_buckets")
def test_short_lines_of_every_run_are_read_in_one_query(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(store, 3, 5, seed=7)
    reads = Reads(store, monkeypatch)
    cache = ColumnCache(store)
    views: list[tuple[float | None, float | None, int]] = [
        (None, None, 60), (100.0, 300.5, 60), (-50.0, 10.0, 40), (333.0, 334.0, 40)]
    for lo, hi, pixels in views:
        extra = {} if lo is None else {"x_min": lo, "x_max": hi}
        _check(_answer(store, cache, pixels=pixels, **extra), lines, (lo, hi, pixels))
    assert reads.queries == [3] * len(views) and reads.walks == 0
    _answer(store, cache, pixels=40, x_min=333.0, x_max=334.0)  # again: served as held
    assert len(reads.queries) == len(views)


@pytest.mark.usefixtures("schema", "small_buckets")
def test_a_live_run_growing_between_requests(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(store, 2, 3, seed=8)
    live, done = list(lines)
    reads = Reads(store, monkeypatch)
    cache = ColumnCache(store)
    x_max = 2_000.0
    _check(_answer(store, cache, pixels=80, x_min=0, x_max=x_max), lines, (0.0, x_max, 80))
    for spike in (90.0, -90.0):
        steps, loss = lines[live]
        more = np.arange(steps[-1] + 1, steps[-1] + 41)
        added = np.r_[np.full(20, np.nan), spike, np.zeros(19)]
        append_train(store, live, more, added)
        lines[live] = (np.r_[steps, more], np.r_[loss, added])
        got = _answer(store, cache, pixels=80, x_min=0, x_max=x_max)
        _check(got, lines, (0.0, x_max, 80))
        assert spike in got[live][1].tolist()
    assert reads.queries == [2, 1, 1]  # the finished run's points were kept
    assert done in lines and reads.walks == 0


@pytest.mark.usefixtures("schema", "small_buckets")
def test_lines_read_raw_or_walked_give_the_same_rows(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line whose buckets lack raw rows (the store says None) is walked instead; a long
    line (many rows per pixel) is walked; both answers are M4 over the raw rows."""
    lines = _lines(store, 2, 4, seed=9)
    reads = Reads(store, monkeypatch)
    real = store.line_values
    monkeypatch.setattr(store, "line_values", lambda s, f, asks: [None] * len(real(s, f, asks)))
    _check(_answer(store, ColumnCache(store), pixels=40), lines, (None, None, 40))
    assert reads.walks == 2
    monkeypatch.setattr(store, "line_values", real)
    _check(_answer(store, ColumnCache(store), pixels=5), lines, (None, None, 5))
    assert reads.walks == 4 and reads.queries == [2]  # 120+ rows a column: walked
    assert not raw_lines.is_short(
        store.line_tops(next(iter(lines)), "train", "loss") or pytest.fail(), 0.0, 1e9, 5)
