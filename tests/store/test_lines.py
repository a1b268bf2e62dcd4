"""Line summaries written with their chunk, read back, built for old chunks, deleted."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.store import (
    Store,
    bucket_rows,
    is_postgres_location,
    lines,
    open_store,
    summaries,
    summary_groups,
)
from streamvis.store.bucket_rows import x_values
from streamvis.store.postgres import PostgresStore
from streamvis.store.summaries import summarize

from .helpers import raw_session


@pytest.mark.usefixtures("schema")
def test_each_append_writes_its_summaries(store: Store, location: str) -> None:
    run = store.create_run()
    store.append(run.handle, "train", {"step": pa.array([1, 2, 3]), "loss": pa.array([3.0, 1, 2])})
    store.append(run.handle, "train", {"step": pa.array([9, 8]), "loss": pa.array([0.0, 5])})
    got = store.line_summaries(run.handle, "train", "loss")
    assert got is not None and got.x == "step"
    assert got.sequences.size == 2 and got.rows.tolist() == [3, 2]
    assert got.counts.tolist() == [1, 0]  # the second chunk's x goes back: no summary
    assert got.records["min_pos"].tolist() == [1]
    after = store.line_summaries(run.handle, "train", "loss", int(got.sequences[0]))
    assert after is not None and after.counts.tolist() == [0]
    assert store.line_summaries(run.handle, "train", "step") is None  # x itself
    with raw_session(location) as s:
        assert s.scalar("SELECT COUNT(*) FROM line_summaries") == 2


@pytest.mark.usefixtures("schema")
def test_deleting_a_run_deletes_its_summaries(store: Store, location: str) -> None:
    run = store.create_run()
    store.append(run.handle, "train", {"step": pa.array(np.arange(5)), "loss": pa.array(
        np.ones(5))})
    store.replace_run(run.handle)
    store.delete_run(run.handle)
    with raw_session(location) as s:
        assert s.scalar("SELECT COUNT(*) FROM line_summaries") == 0
    with pytest.raises(NotFoundError):
        store.line_summaries(run.handle, "train", "loss")


@pytest.fixture
def small_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Buckets of 4 rows, 2 per level, as appends write them."""
    monkeypatch.setattr(summaries, "BASE", 4)
    monkeypatch.setattr(bucket_rows, "BASE", 4)
    monkeypatch.setattr(summaries, "FACTOR", 2)


def _buckets(s: Any) -> int:
    return int(s.scalar("SELECT COUNT(*) FROM line_buckets"))


@pytest.mark.usefixtures("schema", "small_buckets")
def test_heads_bottoms_and_bucket_rows_are_read_as_asked(store: Store, location: str) -> None:
    run = store.create_run()
    step = np.arange(100, 118, dtype=np.int64)
    loss = np.linspace(0, 1, 18)
    loss[9] = np.nan
    seq = store.append(run.handle, "train", {"step": pa.array(step), "loss": pa.array(loss)})
    got = store.line_summaries(run.handle, "train", "loss")
    assert got is not None and set(got.records["level"].tolist()) == {1, 2, 3}  # the head
    whole, _ = summaries.decode([summarize(step, loss)])
    (bottom,) = store.line_bottoms(run.handle, "train", "loss", [seq.sequence, 10**9]).values()
    assert bottom.tobytes() == whole[whole["level"] == 0].tobytes()
    rows = store.line_rows(run.handle, "train", "loss", [(seq.sequence, 4), (seq.sequence, 2)])
    assert [x_values(x).tolist() for x, _ in rows] == [[116, 117], [108, 109, 110, 111]]
    assert rows[1][0] == bucket_rows.Steps(108, 1, 4)  # a step counter's: as stored
    np.testing.assert_array_equal(rows[1][1], loss[8:12])  # NaN included
    with pytest.raises(NotFoundError, match="lost chunks"):
        store.line_rows(run.handle, "train", "loss", [(10**9, 0)])
    with pytest.raises(InvalidArgumentError, match="no line summaries"):
        store.line_rows(run.handle, "train", "step", [(seq.sequence, 0)])
    with raw_session(location) as s:
        assert _buckets(s) == 2 * 5  # x and loss, five buckets each
    store.delete_run(run.handle)
    with raw_session(location) as s:
        assert _buckets(s) == 0 and s.scalar("SELECT COUNT(*) FROM line_heads") == 0


@pytest.mark.usefixtures("schema", "small_buckets")
@pytest.mark.parametrize("connections", [1, 10])
def test_many_bucket_rows_are_read_in_two_halves_on_postgresql(
        location: str, connections: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # PostgreSQL reads half of many rows in a second read (SQLite reads them in one):
    # the same rows either way, in the order asked, even with a pool of one connection
    # (the first read gives its connection back before waiting for the second).
    monkeypatch.setattr(lines, "_SPLIT_ROWS", 3)
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
def test_chunks_stored_before_heads_get_them_on_first_read(store: Store, location: str) -> None:
    run = store.create_run()
    for first in (0, 10):
        store.append(run.handle, "train", {"step": pa.array(np.arange(first, first + 10)),
                                           "loss": pa.array(np.arange(10.0))})
    before = store.line_summaries(run.handle, "train", "loss")
    with raw_session(location) as s:  # as a store written before migration step 12
        s.run("DELETE FROM line_heads")
        s.run("DELETE FROM line_buckets")
    after = store.line_summaries(run.handle, "train", "loss")
    assert before is not None and after is not None
    assert after.records.tobytes() == before.records.tobytes()
    with raw_session(location) as s:
        assert s.scalar("SELECT COUNT(*) FROM line_heads") == 2
        assert _buckets(s) == 2 * 2 * 3
    seqs = after.sequences.tolist()
    (x, y), = store.line_rows(run.handle, "train", "loss", [(seqs[1], 2)])
    assert (x_values(x).tolist(), y.tolist()) == ([18, 19], [8.0, 9.0])


@pytest.fixture
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of 3 chunks."""
    monkeypatch.setattr(summary_groups, "GROUP", 3)


def _groups(location: str) -> list[int]:
    with raw_session(location) as s:
        return [int(g) for (g,) in s.all("SELECT grp FROM line_groups ORDER BY grp")]


@pytest.mark.usefixtures("schema", "small_buckets", "small_groups")
def test_whole_groups_of_chunks_are_stored_on_read_and_listed_with_the_rest(
        store: Store, location: str) -> None:
    run = store.create_run()
    rng = np.random.default_rng(3)
    for i in range(7):
        n = int(rng.integers(1, 20))
        store.append(run.handle, "train", {"step": pa.array(np.arange(n) + 100 * i),
                                          "loss": pa.array(rng.normal(size=n))})
    heads = store.line_summaries(run.handle, "train", "loss")
    assert heads is not None and _groups(location) == []
    tops = store.line_tops(run.handle, "train", "loss")
    assert tops is not None and tops.whole == 2 and tops.first_group == 0
    assert _groups(location) == [0, 1]  # the seventh chunk waits for two more
    assert tops.sequences.tolist() == heads.sequences.tolist()
    assert tops.rows.tolist() == heads.rows.tolist()
    # Each chunk's top record is the last of its head.
    last = np.cumsum(heads.counts) - 1
    assert tops.tops.tobytes() == heads.records[last].tobytes()
    again = store.line_tops(run.handle, "train", "loss")  # now from the group rows
    assert again is not None and again.tops.tobytes() == tops.tops.tobytes()
    assert again.sequences.tolist() == tops.sequences.tolist()
    got = store.line_heads(run.handle, "train", "loss", [int(tops.sequences[4]), 10**9])
    assert list(got) == [int(tops.sequences[4])]
    assert got[int(tops.sequences[4])].tobytes() == heads.records[
        int(last[3]) + 1 : int(last[4]) + 1].tobytes()
    for i in range(2):
        store.append(run.handle, "train", {"step": pa.array([1000 + i]),
                                          "loss": pa.array([float(i)])})
    rest = store.line_tops(run.handle, "train", "loss", after_group=2)
    assert rest is not None and rest.first_group == 2 and rest.whole == 1
    assert rest.sequences.size == 3 and _groups(location) == [0, 1, 2]
    assert tops.then(rest).sequences.size == 9
    store.delete_run(run.handle)
    assert _groups(location) == []


@pytest.mark.usefixtures("schema", "small_groups")
def test_a_group_holding_a_chunk_without_summary_is_not_ordered(store: Store) -> None:
    run = store.create_run()
    for step in ([1, 2], [3, 4], [9, 8], [10, 11]):
        store.append(run.handle, "train", {"step": pa.array(step), "loss": pa.array([1.0, 2])})
    tops = store.line_tops(run.handle, "train", "loss")
    assert tops is not None and tops.whole == 1 and not tops.ordered()
    assert tops.tops["count"].tolist() == [2, 2, 0, 2]
    assert tops.upto(3).ordered() is False and tops.after(0, int(tops.sequences[1])).ordered()


@pytest.mark.usefixtures("schema", "small_groups")
def test_a_group_read_before_its_run_was_replaced_is_not_stored(
        store: Store, location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run = store.create_run()
    for i in range(3):
        store.append(run.handle, "train", {"step": pa.array([2 * i, 2 * i + 1]),
                                          "loss": pa.array([1.0, 2.0])})
    encode = summary_groups.encode_group

    def replaced_meanwhile(*args: Any) -> bytes:
        # Between the read and the write of the group, the run is replaced (maybe
        # under the same row id) and logged anew.
        store.replace_run(run.handle)
        store.append(run.handle, "train", {"step": pa.array([7]), "loss": pa.array([5.0])})
        monkeypatch.setattr(lines, "encode_group", encode)
        return encode(*args)

    monkeypatch.setattr(lines, "encode_group", replaced_meanwhile)
    store.line_tops(run.handle, "train", "loss")
    assert _groups(location) == []
    now = store.line_tops(run.handle, "train", "loss")
    assert now is not None and now.rows.tolist() == [1] and now.whole == 0


@pytest.mark.usefixtures("schema", "small_buckets", "small_groups")
def test_old_chunks_get_summaries_and_groups_on_the_first_line_read(
        store: Store, location: str) -> None:
    run = store.create_run()
    for i in range(4):
        store.append(run.handle, "train", {"step": pa.array(np.arange(10) + 10 * i),
                                          "loss": pa.array(np.sin(np.arange(10.0) + i))})
    want = store.line_tops(run.handle, "train", "loss")
    with raw_session(location) as s:  # as a store from before summaries
        for table in ("line_groups", "line_heads", "line_buckets", "line_summaries"):
            s.run(f"DELETE FROM {table}")
    got = store.line_tops(run.handle, "train", "loss")
    assert want is not None and got is not None and got.whole == 1
    assert got.tops.tobytes() == want.tops.tobytes()
    assert _groups(location) == [0]
    with raw_session(location) as s:
        assert _buckets(s) > 0 and s.scalar("SELECT COUNT(*) FROM line_heads") == 4


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


@pytest.mark.usefixtures("schema", "small_buckets")
def test_a_constant_stretch_is_stored_once_a_bucket_and_read_back_bit_for_bit(
        store: Store, location: str) -> None:
    """A bucket of one value repeated keeps that value and its count, not each row;
    line_rows and line_values give its rows back exactly (-0.0 and NaN's bits too)."""
    run = store.create_run().handle
    step = np.arange(20, dtype=np.int64)
    nan = np.frombuffer(np.uint64(0x7FF8_0000_0000_0042).tobytes(), np.float64)[0]
    loss = np.r_[np.full(8, 0.9), np.full(4, nan), [1.0, 2.0, 3.0, 4.0], np.full(4, -0.0)]
    seq = store.append(run, "train", {"step": pa.array(step), "loss": pa.array(loss)}).sequence
    with raw_session(location) as s:
        kept = [bytes(d)[:1] for (d,) in s.all(
            "SELECT lb.data FROM line_buckets lb JOIN fields f ON f.id = lb.field_id "
            "WHERE f.name = 'loss' ORDER BY lb.bucket", binary=True)]
    assert kept == [bucket_rows.CONSTANT] * 3 + [b"d", bucket_rows.CONSTANT]
    rows = store.line_rows(run, "train", "loss", [(seq, b) for b in range(5)])
    assert np.concatenate([y for _, y in rows]).tobytes() == loss.tobytes()
    ((x, y),) = store.line_values("train", "loss", [(run, [seq])])  # type: ignore[misc]
    assert x.tolist() == step.tolist() and y.tobytes() == loss.tobytes()
