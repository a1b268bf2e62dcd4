"""Line requests answered from summaries: the rows M4 over the columns keeps, in bounded memory."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.schema import FieldType
from streamvis.store import bucket_rows, summary_groups
from streamvis.store.base import Store
from streamvis.web import lod, lod_summaries
from streamvis.web import summary_lines as summary_lines_module
from streamvis.web.columns import ColumnCache
from streamvis.web.data_request import parse_data_request, resolve
from streamvis.web.http import AppState, WebConfig
from streamvis.web.summary_lines import summary_lines

from .helpers import append_train, meta, table


def line(**extra: Any) -> dict[str, Any]:
    return {"series": "train", "kind": "line", "x": "step", "y": "loss", **extra}


def _answer(store: Store, cache: ColumnCache, body: dict[str, Any]) -> Any:
    plan = resolve(parse_data_request(body), store.list_fields(), store.list_series())
    runs = store.list_runs(plan.filter)
    return summary_lines(AppState(store, WebConfig(), cache), plan, runs)


def _same_as_m4(http: Any, steps: Any, loss: Any,
                view: tuple[int, float | None, float | None]) -> None:
    """The line the HTTP API sends for a view (pixels, x_min, x_max) is M4's over the raw
    columns, row for row."""
    pixels, lo, hi = view
    body = line(pixels=pixels, **({} if lo is None else {"x_min": lo, "x_max": hi}))
    t = table(http.post("/api/data", json=body))
    x_min = float(steps[0]) if lo is None else lo
    x_max = float(steps[-1]) if hi is None else hi
    want, reduced = lod.m4(steps, loss, x_min, x_max, pixels)
    assert meta(t)["reduced"] == ("m4" if reduced else "none")
    assert t.column("step").to_pylist() == steps[want].tolist()
    np.testing.assert_array_equal(t.column("loss").to_numpy(), loss[want])


@pytest.mark.usefixtures("schema", "small_buckets")
def test_same_rows_as_m4_over_the_columns(http: Any, store: Store) -> None:
    rng = np.random.default_rng(3)
    run = store.create_run()
    n = 20_000
    steps = np.cumsum(rng.integers(0, 3, n))
    loss = rng.normal(size=n)
    loss[rng.random(n) < 0.02] = np.nan
    loss[[17, 2_500, 19_999]] = [50.0, -50.0, 70.0]
    for part in np.array_split(np.arange(n), 9):
        append_train(store, run.handle, steps[part], loss[part])
    for pixels, lo, hi in ((300, None, None), (37, 100.0, 900.5), (64, 2_000, 2_050),
                           (1, None, None)):
        _same_as_m4(http, steps, loss, (pixels, lo, hi))


@pytest.mark.usefixtures("schema", "small_buckets")
def test_a_cloud_of_broadcast_steps_gives_the_rows_of_m4(
        http: Any, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Buckets of one or two steps keep no copy of their rows: edges and ranges sent raw
    read them from their chunks, and the answer is still M4's over the columns. The
    first chunks are stored as older versions stored them (every bucket's values)."""
    rng = np.random.default_rng(5)
    run = store.create_run()
    # 40 steps of 30 points (buckets of 8 hold one or two steps), then a rising stretch.
    steps = np.concatenate((np.repeat(np.arange(40), 30), np.arange(40, 400)))
    loss = rng.normal(size=steps.size).astype(np.float32)
    loss[rng.random(steps.size) < 0.03] = np.nan
    loss[[31, 700]] = [np.nan, 9.0]
    for i, part in enumerate(np.array_split(np.arange(steps.size), 5)):
        monkeypatch.setattr(bucket_rows, "LINE_CHUNK_BUCKET_RUNS", 0 if i < 2 else 2)
        store.append(run.handle, "train", {"step": pa.array(steps[part]),
                                           "loss": pa.array(loss[part])})
    # Whole line; a few columns; steps 10-12 cut by edges; one step of 30 rows, sent raw.
    for pixels, lo, hi in ((90, None, None), (7, None, None), (40, 9.7, 12.4),
                           (60, 9.5, 10.5)):
        body = line(pixels=pixels, **({} if lo is None else {"x_min": lo, "x_max": hi}))
        assert _answer(store, ColumnCache(store), body) is not None  # from summaries
        _same_as_m4(http, steps, loss, (pixels, lo, hi))


@pytest.mark.usefixtures("schema", "small_buckets")
def test_groups_of_chunks_growing_append_by_append(store: Store,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of 3 chunks: each append extends the last group (or the chunks after the
    whole ones); one cache follows them, another starts afresh; both equal raw M4."""
    monkeypatch.setattr(summary_groups, "GROUP", 3)
    rng = np.random.default_rng(11)
    run = store.create_run()
    kept = ColumnCache(store, 1 << 24)
    steps: list[int] = []
    losses: list[float] = []
    for i in range(11):
        n = int(rng.integers(20, 90))
        step = np.arange(len(steps), len(steps) + n) * 2
        loss = rng.normal(size=n)
        loss[0], loss[-1] = (60.0 + i, -60.0 - i) if i % 3 == 0 else (loss[0], loss[-1])
        if i == 4:
            loss[5:25] = np.nan
        append_train(store, run.handle, step, loss)
        steps += step.tolist()
        losses += loss.tolist()
        x, y = np.array(steps, np.int64), np.array(losses)
        for pixels, lo, hi in ((7, None, None), (5, float(x[len(x) // 3]), float(x[-1]) - 3.5)):
            body = line(pixels=pixels, **({} if lo is None else {"x_min": lo, "x_max": hi}))
            want, _ = lod.m4(x, y, float(x[0]) if lo is None else lo,
                             float(x[-1]) if hi is None else hi, pixels)
            for cache in (kept, ColumnCache(store, 1 << 24)):
                got = _answer(store, cache, body)
                if got is None:  # few rows per pixel: the column path's
                    continue
                assert got.column("step").to_pylist() == x[want].tolist()
                np.testing.assert_array_equal(got.column("loss").to_numpy(), y[want])
    assert got is not None  # the longer lines took this path


@pytest.mark.usefixtures("schema", "small_buckets")
def test_no_whole_column_is_read_and_the_budget_holds(store: Store) -> None:
    run = store.create_run()
    for i in range(40):
        append_train(store, run.handle, np.arange(i * 500, (i + 1) * 500))
    cache = ColumnCache(store, 1 << 20)
    t = _answer(store, cache, line(pixels=10))
    assert t is not None and meta(t)["reduced"] == "m4"
    assert cache.store_reads == 0  # the column path's store query never ran
    assert 0 < cache.nbytes <= 1 << 20
    # Appends extend what is held; a budget too small for it still answers.
    append_train(store, run.handle, [20_000], [99.0])
    tiny = ColumnCache(store, 1)
    for c in (cache, tiny):
        t = _answer(store, c, line(pixels=10))
        assert t is not None and 99.0 in t.column("loss").to_pylist()
    assert tiny.nbytes <= 1


@pytest.mark.usefixtures("schema", "small_buckets")
def test_the_edges_held_count_their_bytes_as_they_grow(store: Store) -> None:
    # Each zoom adds the buckets its edges cut to what the run holds; the bytes the
    # cache counts for them are kept beside them, and stay the sum of what is held.
    run = store.create_run()
    append_train(store, run.handle, np.arange(20_000), np.sin(np.arange(20_000) / 50))
    cache = ColumnCache(store, 64 << 20)
    y = next(f for f in store.list_fields() if f.name == "loss")
    key = (run.handle, "train", y.handle, "edges", 0, 0, 0)
    sizes, last = [], 0
    for lo in range(0, 16_000, 2_000):
        t = _answer(store, cache, line(pixels=50, x_min=lo + 0.5, x_max=lo + 3_000.5))
        assert t is not None and meta(t)["reduced"] == "m4"
        held = cache.held(key)
        assert isinstance(held, summary_lines_module._Held)
        assert held.nbytes == sum(
            int(x.nbytes + v.nbytes) + 64 for x, v in held.found.values())
        sizes.append(len(held.found))
        last = held.nbytes
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0]  # each zoom added its own
    # Past a quarter of the budget, what is held is dropped to what a request asks.
    small = ColumnCache(store, 4 * last // 3)
    counts = []
    for lo in range(0, 16_000, 2_000):
        _answer(store, small, line(pixels=50, x_min=lo + 0.5, x_max=lo + 3_000.5))
        got = small.held(key)
        assert isinstance(got, summary_lines_module._Held)
        assert got.nbytes == sum(
            int(x.nbytes + v.nbytes) + 64 for x, v in got.found.values())
        counts.append(len(got.found))
        assert small.nbytes <= small.max_bytes
    # Dropped each time to what the request asked, where the roomy cache kept them all.
    assert max(counts) < sizes[-1] // 2, (counts, sizes)


@pytest.mark.usefixtures("schema")
def test_other_requests_take_the_column_path(store: Store) -> None:
    run = store.create_run()
    append_train(store, run.handle, [3, 1, 2])  # x goes back: no summary
    cache = ColumnCache(store)
    assert _answer(store, cache, line(pixels=10)) is None
    other = store.create_run()
    append_train(store, other.handle, [1, 2])
    # A line of few rows per pixel is read raw here (raw_lines.py), not from its columns.
    short = store.create_run()
    append_train(store, short.handle, np.arange(2 * bucket_rows.BASE * 10))
    assert _answer(store, cache, line(pixels=10, filter={"handles": [str(short.handle)]}))
    for body in (line(pixels=10, filter={"handles": [str(other.handle)]}, where=[
                     {"field": "step", "equals": 1}]),
                 line(), line(pixels=10, order="step")):
        assert _answer(store, cache, body) is None


@pytest.mark.usefixtures("schema")
def test_live_increments_and_deleted_runs(http: Any, store: Store) -> None:
    run = store.create_run()
    first = append_train(store, run.handle, np.arange(100))
    assert table(http.post("/api/data", json=line(pixels=10))).num_rows > 0
    append_train(store, run.handle, np.arange(100, 150), np.full(50, 7.0))
    t = table(http.post("/api/data", json=line(pixels=1_000, after_sequence=first)))
    assert t.column("step").to_pylist() == list(range(100, 150))
    store.delete_run(run.handle)
    assert table(http.post("/api/data", json=line(pixels=10))).num_rows == 0


def test_what_was_read_before_a_run_was_dropped_is_not_kept(store: Store) -> None:
    cache = ColumnCache(store)
    run = store.create_run().handle
    key = (run, "train", run, "m4", 0, 0, 0)
    since = cache.epoch(run)
    cache.forget_run(run)  # the run was replaced while a request was reading it
    cache.hold(key, "old", 10, since)
    assert cache.held(key) is None and cache.nbytes == 0
    cache.hold(key, "new", 10, cache.epoch(run))
    assert cache.held(key) == "new"
    since = cache.epoch(run)
    cache.clear()
    cache.hold(key, "old", 10, since)
    assert cache.held(key) is None


@pytest.mark.usefixtures("schema", "small_buckets")
def test_no_chunk_is_decoded_for_a_line(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    run = store.create_run()
    steps = np.arange(0, 30_000, 3)
    loss = rng.normal(size=steps.size)
    loss[[0, 1_234, 5_000, 9_999]] = [9.0, -9.0, np.nan, 9.0]  # spikes, a gap, a tie
    for part in np.array_split(np.arange(steps.size), 7):
        append_train(store, run.handle, steps[part], loss[part])

    def boom(*_: Any, **__: Any) -> None:
        raise AssertionError("a line request decoded a chunk")

    monkeypatch.setattr("streamvis.store.lines.decode_chunk", boom)
    monkeypatch.setattr("streamvis.store.chunks.decode_chunk", boom)
    cache = ColumnCache(store, 1 << 20)
    for pixels, lo, hi in ((500, None, None), (333, 1_000.0, 20_000.5), (64, 2_990, 3_100)):
        body = line(pixels=pixels, **({} if lo is None else {"x_min": lo, "x_max": hi}))
        for _ in range(2):  # cold, then from what the cache kept
            t = _answer(store, cache, body)
            assert t is not None
            want, _ = lod.m4(steps, loss, float(steps[0]) if lo is None else lo,
                             float(steps[-1]) if hi is None else hi, pixels)
            assert t.column("step").to_pylist() == steps[want].tolist()
            np.testing.assert_array_equal(t.column("loss").to_numpy(), loss[want])


@pytest.mark.usefixtures("schema", "small_buckets")
def test_a_runs_points_are_kept_until_its_chunks_or_the_view_change(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[int] = []
    real = lod_summaries.m4_summaries

    def counted(*args: Any, **kwargs: Any) -> Any:
        walks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(summary_lines_module, "m4_summaries", counted)
    done, live = store.create_run(), store.create_run()
    for lo in range(0, 4_000, 1_000):
        for run in (done, live):
            append_train(store, run.handle, np.arange(lo, lo + 1_000))
    cache = ColumnCache(store)

    def rows(body: dict[str, Any]) -> list[int]:
        t = _answer(store, cache, body)
        assert t is not None
        return [int(v) for v in t.column("step").to_pylist()]

    first = rows(line(pixels=10, x_min=0, x_max=3_999))
    assert len(walks) == 2
    assert rows(line(pixels=10, x_min=0, x_max=3_999)) == first  # asked again: no walk
    assert len(walks) == 2
    rows(line(pixels=12, x_min=0, x_max=3_999))  # another width: both walked anew
    assert len(walks) == 4
    # A new chunk of one run: only that run is walked again, and its new rows show.
    append_train(store, live.handle, np.arange(4_000, 5_000), np.full(1_000, 77.0))
    t = _answer(store, cache, line(pixels=12, x_min=0, x_max=5_000))
    assert len(walks) == 6  # the view moved (x_max): both again
    assert t is not None and 77.0 in t.column("loss").to_pylist()
    _answer(store, cache, line(pixels=12, x_min=0, x_max=5_000))
    append_train(store, live.handle, [5_000], [-5.0])
    t = _answer(store, cache, line(pixels=12, x_min=0, x_max=5_000))
    assert len(walks) == 7  # the finished run's points served as held
    assert t is not None and -5.0 in t.column("loss").to_pylist()


@pytest.mark.usefixtures("schema", "small_buckets")
def test_a_series_named_int_x_is_the_x_its_lines_are_summarized_against(store: Store) -> None:
    """decision 0045: a line against the x a series names takes the summary path, as a
    line against the first int field does for a series that names none."""
    store.create_field("seed", FieldType.INT)
    store.create_series("by_seed", ["step", "seed", "loss"], x="seed")
    store.create_series("by_step", ["step", "seed", "loss"])
    rng = np.random.default_rng(7)
    run = store.create_run()
    seed = np.arange(0, 60_000, 6)
    loss = rng.normal(size=seed.size)
    for part in np.array_split(np.arange(seed.size), 5):
        for name in ("by_seed", "by_step"):
            store.append(run.handle, name, {"step": pa.array(seed[part] // 6),
                                            "seed": pa.array(seed[part]),
                                            "loss": pa.array(loss[part])})
    cache = ColumnCache(store)
    against = {(name, x): _answer(store, cache, line(series=name, x=x, pixels=100,
                                                     fields=[x, "loss"]))
               for name in ("by_seed", "by_step") for x in ("step", "seed")}
    assert {k for k, v in against.items() if v is not None} == {
        ("by_seed", "seed"), ("by_step", "step")}
    got = against["by_seed", "seed"]
    want, _ = lod.m4(seed, loss, float(seed[0]), float(seed[-1]), 100)
    assert got.column("seed").to_pylist() == seed[want].tolist()
    np.testing.assert_array_equal(got.column("loss").to_numpy(), loss[want])
