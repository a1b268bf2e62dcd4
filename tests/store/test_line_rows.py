"""Raw rows of a line's level-0 buckets: those asked, whole lines of several runs, x alone."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.store import Store, is_postgres_location, line_rows, open_store
from streamvis.store.bucket_rows import x_values
from streamvis.store.postgres import PostgresStore

from .helpers import raw_session


@pytest.mark.usefixtures("schema", "small_buckets")
@pytest.mark.parametrize("connections", [1, 10])
def test_many_bucket_rows_are_read_in_two_halves_on_postgresql(
        location: str, connections: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # PostgreSQL reads half of many rows in a second read (SQLite reads them in one):
    # the same rows either way, in the order asked, even with a pool of one connection
    # (the first read gives its connection back before waiting for the second).
    monkeypatch.setattr(line_rows, "_SPLIT_ROWS", 3)
    opened = (PostgresStore(location, max_connections=connections, timeout=5.0)
              if is_postgres_location(location) else open_store(location))
    with opened as store:
        run = store.create_run()
        step = np.arange(60, dtype=np.int64)
        loss = np.sin(step / 7.0)
        seqs = [store.append(run.handle, "train", {"step": pa.array(step[a : a + 20]),
                                                   "loss": pa.array(loss[a : a + 20])}).sequence
                for a in (0, 20, 40)]
        asked = [(q, b) for q in reversed(seqs) for b in (4, 0, 2)] + [(seqs[0], 1)]
        rows = store.line_rows(run.handle, "train", "loss", asked)
        for (q, b), (x, y) in zip(asked, rows, strict=True):
            first = 20 * seqs.index(q) + 4 * b
            assert x_values(x).tolist() == step[first : first + 4].tolist()
            np.testing.assert_array_equal(y, loss[first : first + 4])
        with pytest.raises(NotFoundError, match="lost chunks"):
            store.line_rows(run.handle, "train", "loss", [*asked, (10**9, 0)])


@pytest.mark.usefixtures("schema", "small_buckets")
def test_buckets_of_a_broadcast_step_are_read_from_their_chunk(store: Store,
                                                                location: str) -> None:
    run = store.create_run()
    # Steps 7, 8, 9 broadcast to 6 rows each (buckets of 4 hold one or two of them), then
    # a step counter: buckets 0-3 are read from the chunk, 4 and 5 from their rows.
    step = np.concatenate((np.repeat(np.arange(7, 10, dtype=np.int64), 6), np.arange(10, 16)))
    loss = (np.arange(step.size) / 3).astype(np.float32)
    loss[[5, 13]] = np.nan
    seq = store.append(run.handle, "train", {"step": pa.array(step), "loss": pa.array(loss)})
    asked = [(seq.sequence, b) for b in (3, 0, 5, 1, 4, 2, 0)]
    for (_, b), (x, y) in zip(asked, store.line_rows(run.handle, "train", "loss", asked),
                              strict=True):
        assert x_values(x).dtype == np.int64 and y.dtype == np.float32  # as stored
        assert x_values(x).tolist() == step[4 * b : 4 * b + 4].tolist()
        assert y.tobytes() == loss[4 * b : 4 * b + 4].tobytes()  # NaN and all
    with raw_session(location) as s:
        # x's rows mark the buckets in the chunk; loss has rows only for the others.
        assert [tuple(r) for r in s.all(
            "SELECT f.name, COUNT(*) FROM line_buckets lb JOIN fields f ON f.id = lb.field_id "
            "GROUP BY f.name ORDER BY f.name")] == [("loss", 2), ("step", 6)]


@pytest.mark.usefixtures("schema", "small_buckets")
def test_line_values_read_the_runs_asked_in_one_query(store: Store, location: str) -> None:
    """Chunks of two runs interleaved: each run's values of the chunks asked, in their
    order, NaN kept; a chunk gone is an error; a bucket without raw rows gives None."""
    a, b = store.create_run().handle, store.create_run().handle
    seqs: dict[Any, list[int]] = {a: [], b: []}
    want: dict[Any, list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]] = {a: [], b: []}
    for i in range(4):
        for run, scale in ((a, 1.0), (b, -2.0)):
            step = np.arange(i * 10, i * 10 + 6 + i, dtype=np.int64)
            loss = scale * np.sin(step.astype(np.float64))
            loss[i] = np.nan
            seqs[run].append(store.append(run, "train", {
                "step": pa.array(step), "loss": pa.array(loss)}).sequence)
            want[run].append((step, loss))
    got = store.line_values("train", "loss", [(a, seqs[a][1:3]), (b, seqs[b]), (a, [])])
    assert len(got) == 3 and got[0] is not None and got[1] is not None and got[2] is not None
    for (x, y), run, parts in ((got[0], a, [1, 2]), (got[1], b, [0, 1, 2, 3])):
        np.testing.assert_array_equal(x, np.concatenate([want[run][i][0] for i in parts]))
        np.testing.assert_array_equal(y, np.concatenate([want[run][i][1] for i in parts]))
    assert got[2][0].size == 0
    with pytest.raises(NotFoundError, match="lost chunks"):
        store.line_values("train", "loss", [(a, [10**9])])
    with pytest.raises(InvalidArgumentError, match="no line summaries"):
        store.line_values("train", "step", [(a, seqs[a])])
    with raw_session(location) as s:  # a bucket of one x need not keep its raw rows
        s.run("DELETE FROM line_buckets WHERE bucket = 1 AND chunk_id = "
                  "(SELECT id FROM chunks WHERE sequence = ?)", (seqs[b][3],))
    got = store.line_values("train", "loss", [(a, seqs[a]), (b, seqs[b])])
    assert got[0] is not None and got[0][0].size == sum(w[0].size for w in want[a])
    assert got[1] is None


@pytest.mark.usefixtures("schema", "small_buckets")
def test_line_values_read_buckets_kept_in_their_chunk_from_the_chunk(store: Store) -> None:
    """A broadcast step's buckets keep no raw rows (`in_chunk`): a whole line read raw
    takes those chunks' two columns from the chunk, beside chunks read from their rows."""
    run = store.create_run().handle
    cloud = np.repeat(np.arange(7, 10, dtype=np.int64), 6)  # buckets of 4: one or two x
    counter = np.arange(10, 16, dtype=np.int64)  # rising: its rows kept
    parts = []
    for step in (cloud, counter, cloud + 100):
        loss = (np.arange(step.size) / 3).astype(np.float32)
        loss[step.size // 2] = np.nan
        seq = store.append(run, "train", {"step": pa.array(step), "loss": pa.array(loss)})
        parts.append((seq.sequence, step, loss))
    (got,) = store.line_values("train", "loss", [(run, [q for q, _, _ in parts])])
    assert got is not None
    x, y = got
    assert x.dtype == np.int64 and y.dtype == np.float32
    assert x.tolist() == np.concatenate([p[1] for p in parts]).tolist()
    assert y.tobytes() == np.concatenate([p[2] for p in parts]).tobytes()  # NaN and all


@pytest.mark.usefixtures("schema", "small_buckets")
def test_line_xs_read_each_runs_x_from_its_buckets(store: Store, location: str) -> None:
    """A run's x column whole from x's bucket rows (a step counter's markers and raw
    rows alike), chunks interleaved between runs; None wherever a chunk lacks them."""
    a, b, empty = (store.create_run().handle for _ in range(3))
    want: dict[Any, list[int]] = {a: [], b: []}
    for i, step in enumerate((np.arange(9), np.array([9, 9, 11, 20, 21, 30]), np.arange(40, 47))):
        for run in (a, b):
            x = step if run == a else step * 2 + i
            store.append(run, "train", {"step": pa.array(x.astype(np.int64)),
                                        "loss": pa.array(np.sin(x.astype(np.float64)))})
            want[run] += x.tolist()
    got = store.line_xs("train", "step", [b, a, empty])
    assert got is not None and set(got) == {a, b, empty}
    assert got[a].dtype == np.int64 and got[a].tolist() == want[a]
    assert got[b].tolist() == want[b] and got[empty].size == 0
    assert store.line_xs("train", "loss", [a]) is None  # not the series' x
    # A chunk whose x decreases has no summary and no bucket rows: its column is read.
    store.append(a, "train", {"step": pa.array([50, 49]), "loss": pa.array([0.0, 1.0])})
    assert store.line_xs("train", "step", [a]) is None
    assert store.line_xs("train", "step", [b]) is not None
    with raw_session(location) as s:  # a bucket's row gone: never a column with a gap
        s.run("DELETE FROM line_buckets WHERE bucket = 1 AND field_id = "
              "(SELECT id FROM fields WHERE name = 'step')")
    assert store.line_xs("train", "step", [b]) is None
    # A broadcast step's buckets are kept in the chunk: read the column instead.
    cloud = store.create_run().handle
    store.append(cloud, "train", {"step": pa.array(np.repeat(np.arange(3), 6)),
                                  "loss": pa.array(np.ones(18))})
    assert store.line_xs("train", "step", [cloud]) is None
