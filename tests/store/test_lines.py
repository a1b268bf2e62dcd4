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
    lines,
    summaries,
    summary_groups,
)
from streamvis.store.bucket_rows import x_values
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
