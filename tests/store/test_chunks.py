"""Appending and reading column data, on both backends."""

from __future__ import annotations

import math
import threading
import uuid

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.events import Event, RowsAppended
from streamvis.model.schema import AttributeCondition, FieldType, RunFilter
from streamvis.model.wallclock import FIELDS, TIME_FIELD
from streamvis.store import AppendResult, ChunkInfo, Store
from streamvis.store import chunks as chunks_module
from streamvis.store.filters import FieldRow

from .helpers import state, train_columns


@pytest.mark.usefixtures("schema")
def test_append_and_query(store: Store, events: list[Event]) -> None:
    a = store.create_run(attributes={"seed": 1})
    b = store.create_run(attributes={"seed": 2, "lr": 0.5})
    r1 = store.append(a.handle, "train", train_columns([1, 2, 3]))
    r2 = store.append(b.handle, "train", train_columns([1]))
    r3 = store.append(a.handle, "train", train_columns([4, 5]))
    assert (r1, r2, r3) == (
        AppendResult(1, 3, duplicate=False),
        AppendResult(2, 1, duplicate=False),
        AppendResult(3, 2, duplicate=False),
    )
    assert events[2:] == [
        RowsAppended(a.handle, "train", 1, 3),
        RowsAppended(b.handle, "train", 2, 1),
        RowsAppended(a.handle, "train", 3, 2),
    ]
    chunks = list(store.query(RunFilter(), "train"))
    assert [(c.run, c.sequence) for c in chunks] == [(a.handle, 1), (b.handle, 2), (a.handle, 3)]
    assert chunks[0].batch.schema.names == ["step", "loss"]
    assert chunks[0].batch.to_pydict() == {"step": [1, 2, 3], "loss": [0.1, 0.2, 0.3]}
    assert chunks[0].attributes == {}
    # A subset of the fields, in the order asked for, with attributes.
    chunks = list(store.query(RunFilter(), "train", ["loss"], ["seed"], after_sequence=1))
    assert [(c.sequence, c.batch.schema.names, c.attributes) for c in chunks] == [
        (2, ["loss"], {"seed": 2}),
        (3, ["loss"], {"seed": 1}),
    ]
    # Runs lacking a requested attribute are left out.
    chunks = list(store.query(RunFilter(), "train", ["loss", "step"], ["lr", "seed"]))
    assert [(c.sequence, c.attributes) for c in chunks] == [(2, {"lr": 0.5, "seed": 2})]
    assert chunks[0].batch.schema.names == ["loss", "step"]
    # The run filter applies.
    cond = AttributeCondition("seed", equals=1)
    assert [c.sequence for c in store.query(RunFilter(attributes=(cond,)), "train")] == [1, 3]
    assert list(store.query(RunFilter(), "train", after_sequence=3)) == []


@pytest.mark.usefixtures("schema")
def test_query_refusals(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no series named 'nope'"):
        store.query(RunFilter(), "nope")
    with pytest.raises(
        InvalidArgumentError, match="has no field 'seed'; its fields are step, loss"
    ):
        store.query(RunFilter(), "train", ["step", "seed"])
    with pytest.raises(InvalidArgumentError, match="given more than once"):
        store.query(RunFilter(), "train", ["step", "step"])
    with pytest.raises(NotFoundError, match="'nope'"):
        store.query(RunFilter(), "train", attributes=["nope"])
    with pytest.raises(NotFoundError, match="attribute 'nope'"):
        store.query(RunFilter(attributes=(AttributeCondition("nope", equals=1),)), "train")
    with pytest.raises(InvalidArgumentError, match="after_sequence"):
        store.query(RunFilter(), "train", after_sequence="0")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("columns", "error", "match"),
    [
        ({"step": pa.array([1])}, InvalidArgumentError, "missing: loss"),
        (
            {**train_columns([1]), "seed": pa.array([1])},
            InvalidArgumentError,
            "has no field 'seed'",
        ),
        (
            {"step": pa.array([1, 2]), "loss": pa.array([1.0])},
            InvalidArgumentError,
            "differ in length",
        ),
        (
            {"step": pa.array([1.0]), "loss": pa.array([1.0])},
            InvalidArgumentError,
            "holds double values but field 'step' is int",
        ),
        (
            {"step": pa.array([1, None]), "loss": pa.array([1.0, 2.0])},
            InvalidArgumentError,
            "1 missing values",
        ),
        (train_columns([]), InvalidArgumentError, "has no rows"),
        ([1, 2], InvalidArgumentError, "columns must map"),
        (
            {"step": np.array([1]), "loss": pa.array([1.0])},
            InvalidArgumentError,
            "column 'step' is a ndarray, not a pyarrow Array",
        ),
    ],
)
@pytest.mark.usefixtures("schema")
def test_append_refusals(
    store: Store,
    events: list[Event],
    columns: dict[str, pa.Array],
    error: type[Exception],
    match: str,
) -> None:
    run = store.create_run()
    events.clear()
    before = state(store)
    with pytest.raises(error, match=match):
        store.append(run.handle, "train", columns, idempotency_key="k")
    assert state(store) == before
    assert events == []
    # The key was not used up by the refused append.
    assert not store.append(run.handle, "train", train_columns([1]), idempotency_key="k").duplicate


@pytest.mark.usefixtures("schema")
def test_append_to_unknown_run_or_series(store: Store) -> None:
    run = store.create_run()
    before = state(store)
    with pytest.raises(NotFoundError, match="no run with handle"):
        store.append(uuid.uuid4(), "train", train_columns([1]))
    with pytest.raises(NotFoundError, match="no series named 'nope'"):
        store.append(run.handle, "nope", train_columns([1]))
    for key in ("", "k" * 257, 3):
        with pytest.raises(InvalidArgumentError, match="idempotency key"):
            store.append(run.handle, "train", train_columns([1]), idempotency_key=key)  # type: ignore[arg-type]
    assert state(store) == before


@pytest.mark.usefixtures("schema")
def test_special_floats_round_trip(store: Store) -> None:
    run = store.create_run()
    values = [math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.7976931348623157e308]
    store.append(run.handle, "train", train_columns(list(range(len(values))), values))
    (chunk,) = store.query(RunFilter(), "train", ["loss"])
    got = chunk.batch.column(0).to_pylist()
    assert math.isnan(got[0])
    assert got[1:] == values[1:]
    assert math.copysign(1.0, got[3]) == -1.0


@pytest.mark.usefixtures("schema")
def test_all_types_round_trip(store: Store) -> None:
    store.create_field("name", FieldType.STRING)
    store.create_series("mixed", ["good", "name", "seed", "lr"])
    run = store.create_run()
    columns = {
        "good": pa.array([True, False, True]),
        "name": pa.array(["a", "", "ünïcødé ✓"]),
        "seed": pa.array([-(2**63), 0, 2**63 - 1], pa.int64()),
        "lr": pa.array([0.5, -1.0, 1e10]),
    }
    store.append(run.handle, "mixed", columns)
    (chunk,) = store.query(RunFilter(), "mixed")
    assert chunk.batch.to_pydict() == {k: v.to_pylist() for k, v in columns.items()}


@pytest.mark.usefixtures("schema")
def test_renamed_field_reads_old_chunks(store: Store) -> None:
    run = store.create_run()
    store.append(run.handle, "train", train_columns([1, 2]))
    store.update_field("loss", new_name="train_loss")
    store.update_field("step", new_name="loss")  # the old name of another field
    (chunk,) = store.query(RunFilter(), "train")
    assert chunk.batch.to_pydict() == {"loss": [1, 2], "train_loss": [0.1, 0.2]}
    (chunk,) = store.query(RunFilter(), "train", ["train_loss"])
    assert chunk.batch.to_pydict() == {"train_loss": [0.1, 0.2]}


@pytest.mark.usefixtures("schema")
def test_idempotent_append(store: Store, events: list[Event]) -> None:
    run = store.create_run()
    first = store.append(run.handle, "train", train_columns([1, 2]), idempotency_key="batch-1")
    events.clear()
    again = store.append(run.handle, "train", train_columns([9]), idempotency_key="batch-1")
    assert again == AppendResult(first.sequence, 2, duplicate=True)
    assert events == []
    assert len(store.chunks_after(0)) == 1
    other = store.append(run.handle, "train", train_columns([3]), idempotency_key="batch-2")
    assert other == AppendResult(first.sequence + 1, 1, duplicate=False)


@pytest.mark.usefixtures("schema")
def test_concurrent_appends_with_one_key_store_one_chunk(store: Store) -> None:
    run = store.create_run()
    results: list[AppendResult] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        barrier.wait()
        results.append(
            store.append(run.handle, "train", train_columns([1, 2]), idempotency_key="k")
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.chunks_after(0)) == 1
    assert sorted(r.duplicate for r in results) == [False] + [True] * 5
    assert {r.sequence for r in results} == {store.last_sequence()}


@pytest.mark.usefixtures("schema")
def test_chunks_after_and_last_sequence(store: Store) -> None:
    assert store.last_sequence() == 0
    assert store.chunks_after(0) == []
    store.create_series("other", ["seed"])
    a, b = store.create_run(), store.create_run()
    store.append(a.handle, "train", train_columns([1, 2]))
    store.append(b.handle, "other", {"seed": pa.array([7])})
    store.append(b.handle, "train", train_columns([3]))
    assert store.chunks_after(0) == [
        ChunkInfo(a.handle, "train", 1, 2),
        ChunkInfo(b.handle, "other", 2, 1),
        ChunkInfo(b.handle, "train", 3, 1),
    ]
    assert [c.sequence for c in store.chunks_after(1, limit=1)] == [2]
    assert store.last_sequence() == 3
    for bad in (0, -1, True):
        with pytest.raises(InvalidArgumentError, match="limit"):
            store.chunks_after(0, limit=bad)
    # Sequences are never handed out twice, even after the newest chunk is gone.
    store.delete_run(b.handle)
    assert store.last_sequence() == 1
    assert store.append(a.handle, "train", train_columns([4])).sequence == 4


@pytest.mark.usefixtures("schema")
def test_query_pages_and_groups(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks_module, "_META_PAGE", 5)
    monkeypatch.setattr(chunks_module, "_BLOB_GROUP", 2)
    monkeypatch.setattr(chunks_module, "_BLOB_GROUP_BYTES", 1)
    runs = [store.create_run(attributes={"seed": i}) for i in range(3)]
    for i in range(17):
        store.append(runs[i % 3].handle, "train", train_columns([i]))
    chunks = list(store.query(RunFilter(), "train", ["step"], ["seed"], after_sequence=2))
    assert [c.sequence for c in chunks] == list(range(3, 18))
    assert all(c.batch.column(0).to_pylist() == [c.sequence - 1] for c in chunks)
    assert all(c.attributes == {"seed": (c.sequence - 1) % 3} for c in chunks)


@pytest.mark.usefixtures("schema")
def test_query_skips_chunks_deleted_while_streaming(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks_module, "_BLOB_GROUP", 1)
    a, b = store.create_run(), store.create_run()
    for i in range(4):
        store.append((a if i % 2 else b).handle, "train", train_columns([i]))
    stream = store.query(RunFilter(), "train")
    first = next(stream)
    store.delete_run(a.handle)
    rest = list(stream)
    assert [first.run, *[c.run for c in rest]] == [b.handle, b.handle]


@pytest.mark.usefixtures("schema")
def test_million_row_append(store: Store) -> None:
    run = store.create_run()
    n = 1_000_000
    steps = np.arange(n, dtype=np.int64)
    result = store.append(
        run.handle, "train", {"step": pa.array(steps), "loss": pa.array(steps * 0.5)}
    )
    assert result.rows == n
    (chunk,) = store.query(RunFilter(), "train", ["step"])
    assert chunk.batch.num_rows == n
    assert np.array_equal(chunk.batch.column(0).to_numpy(), steps)


@pytest.mark.usefixtures("schema")
def test_events_only_after_commit(store: Store) -> None:
    run = store.create_run()
    seen: list[Event] = []

    def broken(_event: Event) -> None:
        raise RuntimeError("listener bug")

    store.events.subscribe(broken)
    store.events.subscribe(seen.append)
    with pytest.raises(InvalidArgumentError):
        store.append(run.handle, "train", {"step": pa.array([1])})
    assert seen == []
    result = store.append(run.handle, "train", train_columns([1]))
    assert seen == [RowsAppended(run.handle, "train", result.sequence, 1)]


@pytest.mark.usefixtures("schema")
def test_listener_sees_committed_state(store: Store) -> None:
    run = store.create_run()
    seen: list[int] = []
    store.events.subscribe(lambda _: seen.append(store.last_sequence()))
    store.append(run.handle, "train", train_columns([1]))
    assert seen == [1]


@pytest.mark.usefixtures("schema")
def test_float32_is_stored_as_sent_and_widened_on_request(store: Store) -> None:
    run = store.create_run().handle
    # Values float64 cannot tell apart from their float32 rounding, and one that it can.
    narrow = np.array([0.1, 1e-30, 3.4e38, -2.5], dtype=np.float32)
    store.append(run, "train", {"step": pa.array([1, 2, 3, 4]), "loss": pa.array(narrow)})
    store.append(run, "train", train_columns([5]))  # an old-style float64 chunk
    stored = list(store.query(RunFilter(), "train", as_stored=True))
    assert [c.batch.schema.field("loss").type for c in stored] == [pa.float32(), pa.float64()]
    assert stored[0].batch.column("loss").to_numpy().tobytes() == narrow.tobytes()
    widened = list(store.query(RunFilter(), "train"))
    assert [c.batch.schema.field("loss").type for c in widened] == [pa.float64()] * 2
    assert widened[0].batch.column("loss").to_numpy().tobytes() == \
        narrow.astype(np.float64).tobytes()
    # The stored chunk holds 4-byte floats: its blob is smaller than a float64 one.
    two = [uuid.uuid4(), uuid.uuid4()]
    assert len(chunks_module.encode_chunk(stored[0].batch, two)) < len(
        chunks_module.encode_chunk(widened[0].batch, two))


@pytest.mark.usefixtures("schema")
def test_a_float_column_of_another_width_is_refused(store: Store) -> None:
    run = store.create_run().handle
    with pytest.raises(InvalidArgumentError, match="holds halffloat values but field 'loss'"):
        store.append(run, "train", {"step": pa.array([1]),
                                    "loss": pa.array(np.array([1.0], dtype=np.float16))})


def test_chunks_are_compressed_and_uncompressed_ones_still_read(store: Store, schema) -> None:
    steps = list(range(10_000))
    batch = pa.RecordBatch.from_arrays(
        [pa.array(steps), pa.array(np.zeros(10_000))], names=["step", "loss"])
    handles = [schema.step.handle, schema.loss.handle]
    rows = [FieldRow(1, schema.step), FieldRow(2, schema.loss)]
    # Counting and constant columns shrink well below their 160 kB of values.
    stored = chunks_module.encode_chunk(batch, handles)
    assert len(stored) < 100_000
    assert chunks_module.decode_chunk(stored, rows, 1).column(0).to_pylist() == steps
    assert pa.ipc.open_stream(stored).read_next_batch().num_rows == 10_000
    # Chunks written uncompressed or with lz4 (earlier versions) decode the same.
    named = pa.RecordBatch.from_arrays(batch.columns, names=[str(h) for h in handles])
    for codec, smaller in ((None, False), ("lz4", True)):
        sink = pa.BufferOutputStream()
        options = pa.ipc.IpcWriteOptions(compression=codec)
        with pa.ipc.new_stream(sink, named.schema, options=options) as writer:
            writer.write_batch(named)
        old = sink.getvalue().to_pybytes()
        assert (len(old) < 160_000) is smaller
        assert len(stored) < len(old)  # zstd's fastest level: smaller than either
        assert chunks_module.decode_chunk(old, rows, 1).to_pydict() == batch.to_pydict()
    # And through the store.
    run = store.create_run().handle
    store.append(run, "train", {"step": batch.column(0), "loss": batch.column(1)})
    got = next(iter(store.query(RunFilter(handles=(run,)), "train")))
    assert got.batch.to_pydict() == batch.to_pydict()


@pytest.mark.usefixtures("schema")
def test_a_run_end_encoded_int_is_stored_once_per_run_and_read_plain(store: Store) -> None:
    run = store.create_run().handle
    steps = pa.RunEndEncodedArray.from_arrays(
        pa.array([10_000, 20_000], pa.int32()), pa.array([4, 5], pa.int64()))
    loss = pa.array(np.zeros(20_000))
    store.append(run, "train", {"step": steps, "loss": loss})
    for as_stored in (False, True):
        (chunk,) = store.query(RunFilter(handles=(run,)), "train", as_stored=as_stored)
        assert chunk.batch.schema.field("step").type == pa.int64()
        assert chunk.batch.column("step").to_numpy().tolist() == [4] * 10_000 + [5] * 10_000
    with pytest.raises(InvalidArgumentError, match="holds run_end_encoded"):
        store.append(run, "train", {"step": steps, "loss": pa.RunEndEncodedArray.from_arrays(
            pa.array([20_000], pa.int32()), pa.array([1.0], pa.float64()))})


def test_a_chunk_decodes_only_the_columns_asked(schema, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = pa.RecordBatch.from_arrays(
        [pa.array([3, 4, 5]), pa.array([0.5, np.nan, 2.0])], names=["step", "loss"])
    stored = chunks_module.encode_chunk(batch, [schema.step.handle, schema.loss.handle],
                                        pa.array([10.0, 11.0, 12.0]))
    decoded: list[list[str]] = []
    real = pa.ipc.open_stream

    def opened(source: object, **kwargs: object) -> object:
        reader = real(source, **kwargs)
        options = kwargs.get("options")
        if options is not None:
            decoded.append([reader.schema.field(i).name for i in range(len(reader.schema))])
        return reader

    monkeypatch.setattr(pa.ipc, "open_stream", opened)
    loss = chunks_module.decode_chunk(stored, [FieldRow(2, schema.loss)], 1)
    assert loss.column_names == ["loss"] and decoded == [[str(schema.loss.handle)]]
    assert loss.column(0).to_pylist()[::2] == [0.5, 2.0]
    elapsed = FieldRow(-1, FIELDS["_elapsed"])
    got = chunks_module.decode_chunk(stored, [elapsed, FieldRow(1, schema.step)], 1,
                                     started_at=9.0)
    assert got.to_pydict() == {"_elapsed": [1.0, 2.0, 3.0], "step": [3, 4, 5]}
    assert sorted(decoded[-1]) == sorted([str(TIME_FIELD.handle), str(schema.step.handle)])
