"""Every RPC of streamvis.v1.Service, through a real server, on each store."""

from __future__ import annotations

import math
import time
import types
import uuid

import numpy as np
import pyarrow as pa
import pytest

from streamvis._version import __version__
from streamvis.client import Client
from streamvis.model.errors import AlreadyExistsError, InvalidArgumentError
from streamvis.model.schema import AttributeCondition, FieldType, RunFilter
from streamvis.testing import ServerProcess


def make_series(client: Client, unique, **types: str) -> tuple[str, dict[str, str]]:
    """A new series whose fields have the given types; (series name, key -> field name)."""
    names = {key: unique(key) for key in types}
    for key, type_name in types.items():
        client.create_field(names[key], type_name)
    series = unique("series")
    client.create_series(series, list(names.values()))
    return series, names


def test_fields_are_created_listed_renamed_and_described(client: Client, unique):
    created = {t: client.create_field(unique(t.value), t, f"a {t.value}") for t in FieldType}
    listed = {f.name: f for f in client.fields()}
    for t, f in created.items():
        assert listed[f.name] == f
        assert f.type is t
        assert f.description == f"a {t.value}"
    f = created[FieldType.FLOAT]
    renamed = client.update_field(f.name, new_name=unique("renamed"))
    assert (renamed.handle, renamed.type, renamed.description) == (f.handle, f.type, f.description)
    described = client.update_field(f.handle, description="by handle")
    assert described == type(f)(f.handle, renamed.name, f.type, "by handle")
    names = [x.name for x in client.fields()]
    assert renamed.name in names
    assert f.name not in names
    assert names == sorted(names)


def test_series_are_created_listed_and_deleted_when_empty(client: Client, unique):
    series, fields = make_series(client, unique, step="int", loss="float")
    listed = {s.name: s for s in client.series()}
    assert listed[series].fields == (fields["step"], fields["loss"])
    client.delete_empty_series(series)
    assert series not in {s.name for s in client.series()}


def test_a_series_x_goes_through_create_list_and_common_series(client: Client, unique):
    t, wave, value = unique("t"), unique("wave"), unique("value")
    for name, type_name in ((t, "float"), (wave, "int"), (value, "float")):
        client.create_field(name, type_name)
    named = client.create_series(unique("waves"), [t, wave, value], x=t)
    plain = client.create_series(unique("plain"), [t, wave, value])
    assert (named.x, plain.x) == (t, None)
    listed = {s.name: s for s in client.series()}
    assert listed[named.name] == named and listed[plain.name].x is None
    run = client.create_run()
    client.append(run.handle, named.name, {t: np.zeros(2), wave: np.arange(2), value: np.ones(2)})
    assert client.common_series(RunFilter(handles=(run.handle,))) == [named]
    # Refusals say what to do, and change nothing.
    with pytest.raises(InvalidArgumentError, match="not one of its fields"):
        client.create_series(unique("s"), [wave, value], x=t)
    with pytest.raises(AlreadyExistsError, match=r"and x '.*': a series never changes"):
        client.create_series(named.name, [t, wave, value], x=wave)
    assert {s.name: s for s in client.series()} == listed


def test_common_series_are_those_with_data_in_every_run(client: Client, unique):
    both, f1 = make_series(client, unique, x="float")
    one, f2 = make_series(client, unique, y="float")
    runs = [client.create_run(), client.create_run()]
    for run in runs:
        client.append(run.handle, both, {f1["x"]: np.ones(2)})
    client.append(runs[0].handle, one, {f2["y"]: np.ones(2)})
    common = client.common_series(RunFilter(handles=tuple(r.handle for r in runs)))
    assert [s.name for s in common] == [both]


def test_runs_get_a_generated_or_given_handle(client: Client, unique):
    generated = client.create_run()
    assert generated.handle.version == 4
    assert abs(generated.started_at - time.time()) < 60
    given = uuid.uuid4()
    tag = unique("tag")
    run = client.create_run(given, tags=["z", tag], started_at=1_000.5)
    assert run.handle == given
    assert run.tags == tuple(sorted(["z", tag]))
    assert run.started_at == 1_000.5
    assert client.runs(RunFilter(handles=(given,))) == [run]


def test_replace_run_deletes_its_data_and_starts_it_anew(client: Client, unique):
    series, f = make_series(client, unique, x="float")
    attr = unique("attr")
    client.create_field(attr, "int")
    run = client.create_run(tags=["old"], attributes={attr: 1})
    client.append(run.handle, series, {f["x"]: np.ones(3)})
    new = client.replace_run(run.handle, tags=["new"], started_at=5.0)
    assert (new.handle, new.tags, dict(new.attributes), new.started_at) == (
        run.handle, ("new",), {}, 5.0
    )
    assert list(client.query(series, RunFilter(handles=(run.handle,)))) == []
    fresh = uuid.uuid4()  # replacing a run that does not exist creates it
    assert client.replace_run(fresh).handle == fresh


def test_delete_run_removes_it_and_its_data(client: Client, unique):
    series, f = make_series(client, unique, x="float")
    run = client.create_run()
    client.append(run.handle, series, {f["x"]: np.ones(3)})
    client.delete_run(run.handle)
    assert client.runs(RunFilter(handles=(run.handle,))) == []
    assert list(client.query(series)) == []


def test_tags_are_added_removed_and_counted(client: Client, unique):
    tag, other = unique("tag"), unique("tag")
    runs = [client.create_run(tags=[tag]) for _ in range(3)]
    assert client.add_tag(runs[0].handle, other).tags == tuple(sorted([tag, other]))
    assert client.add_tag(runs[0].handle, other).tags == tuple(sorted([tag, other]))
    handles = RunFilter(handles=tuple(r.handle for r in runs))
    assert client.tags(handles) == sorted([(tag, 3), (other, 1)])
    assert client.remove_tag(runs[0].handle, other).tags == (tag,)
    assert client.tags(handles) == [(tag, 3)]


def test_attributes_are_set_listed_and_filtered_on(client: Client, unique):
    lr, opt, seed = unique("lr"), unique("opt"), unique("seed")
    client.create_field(lr, "float")
    client.create_field(opt, "string")
    client.create_field(seed, "int")
    a = client.create_run(attributes={lr: 0.1, opt: "adam"}, started_at=100.0)
    b = client.create_run(attributes={lr: 0.01, opt: "adam"}, started_at=200.0)
    c = client.create_run(attributes={lr: 1, opt: "sgd"}, started_at=300.0)  # int widened
    assert c.attributes[lr] == 1.0
    assert isinstance(c.attributes[lr], float)
    a = client.set_attributes(a.handle, {seed: 7})
    assert dict(a.attributes) == {lr: 0.1, opt: "adam", seed: 7}
    runs = RunFilter(handles=(a.handle, b.handle, c.handle))
    assert client.attribute_values(runs, [opt]) == {opt: [("adam", 2), ("sgd", 1)]}
    assert {f.name for f in client.common_attributes(runs)} == {lr, opt}
    assert client.started_at(runs) == [100.0, 200.0, 300.0]
    assert [r.handle for r in client.runs(runs)] == [c.handle, b.handle, a.handle]
    assert [r.handle for r in client.runs(runs, limit=2)] == [c.handle, b.handle]
    adam_small = RunFilter(
        handles=runs.handles,
        attributes=(AttributeCondition(opt, equals="adam"), AttributeCondition(lr, max=0.05)),
    )
    assert [r.handle for r in client.runs(adam_small)] == [b.handle]
    in_time = RunFilter(handles=runs.handles, started_after=150.0, started_before=300.0)
    assert [r.handle for r in client.runs(in_time)] == [b.handle]


def test_every_value_type_round_trips_exactly(client: Client, unique):
    series, f = make_series(client, unique, i="int", x="float", s="string", b="bool")
    run = client.create_run()
    floats = np.array([0.0, -0.0, 1.5, math.nan, math.inf, -math.inf, 5e-324, 1.797e308])
    ints = np.array([0, -1, 2**63 - 1, -(2**63), 42, 7, 8, 9], dtype=np.int64)
    strings = ["", "plain", "ünïcødé ✓", "with\nnewline", "a" * 1000, "x", "y", "z"]
    bools = np.array([True, False] * 4)
    result = client.append(
        run.handle, series,
        {f["i"]: ints, f["x"]: floats, f["s"]: pa.array(strings), f["b"]: bools},
    )
    assert (result.rows, result.duplicate) == (8, False)
    [chunk] = client.query(series, RunFilter(handles=(run.handle,)))
    assert (chunk.run, chunk.sequence) == (run.handle, result.sequence)
    got = chunk.batch
    assert got.schema.names == [f["i"], f["x"], f["s"], f["b"]]
    assert got.column(0).to_numpy().tolist() == ints.tolist()
    # Bit for bit: NaN stays NaN, -0.0 keeps its sign.
    assert got.column(1).to_numpy().tobytes() == floats.tobytes()
    assert got.column(2).to_pylist() == strings
    assert got.column(3).to_pylist() == bools.tolist()


def test_query_streams_chunks_in_sequence_order_with_fields_and_attributes(
    client: Client, unique
):
    series, f = make_series(client, unique, step="int", loss="float", acc="float")
    lr = unique("lr")
    client.create_field(lr, "float")
    with_lr = [client.create_run(attributes={lr: 0.1 * (i + 1)}) for i in range(2)]
    without_lr = client.create_run()
    sequences = []
    for k in range(30):
        run = [*with_lr, without_lr][k % 3]
        cols = {f["step"]: np.arange(k + 1), f["loss"]: np.full(k + 1, k / 2),
                f["acc"]: np.zeros(k + 1)}
        sequences.append((run.handle, client.append(run.handle, series, cols).sequence, k + 1))
    assert [s for _, s, _ in sequences] == sorted(s for _, s, _ in sequences)

    chunks = list(client.query(series))
    assert [(c.run, c.sequence, c.batch.num_rows) for c in chunks] == sequences
    picked = list(client.query(series, fields=[f["loss"], f["step"]], attributes=[lr]))
    assert [c.run for c in picked] == [r for r, _, _ in sequences if r != without_lr.handle]
    for c in picked:
        assert c.batch.schema.names == [f["loss"], f["step"]]
        assert c.attributes == {lr: next(r.attributes[lr] for r in with_lr if r.handle == c.run)}
    middle = sequences[14][1]
    after = list(client.query(series, after_sequence=middle))
    assert [c.sequence for c in after] == [s for _, s, _ in sequences[15:]]
    one_run = list(client.query(series, RunFilter(handles=(without_lr.handle,))))
    assert [c.sequence for c in one_run] == [s for r, s, _ in sequences if r == without_lr.handle]


def test_a_query_left_early_leaves_the_server_serving(client: Client, unique):
    series, f = make_series(client, unique, x="float")
    run = client.create_run()
    for _ in range(40):
        client.append(run.handle, series, {f["x"]: np.ones(50_000)})
    for _ in range(5):
        stream = client.query(series)
        assert isinstance(stream, types.GeneratorType)
        assert next(stream).batch.num_rows == 50_000
        stream.close()  # cancels the call with chunks still to come
    assert sum(c.batch.num_rows for c in client.query(series)) == 40 * 50_000


def test_an_idempotency_key_stores_a_batch_once(client: Client, unique):
    series, f = make_series(client, unique, x="float")
    run = client.create_run()
    key = unique("key")
    first = client.append(run.handle, series, {f["x"]: np.ones(4)}, idempotency_key=key)
    again = client.append(run.handle, series, {f["x"]: np.ones(4)}, idempotency_key=key)
    assert not first.duplicate
    assert again.duplicate
    assert (again.sequence, again.rows) == (first.sequence, first.rows)
    assert [c.sequence for c in client.query(series)] == [first.sequence]


@pytest.mark.parametrize("rows", [1, 100_000])
def test_batches_of_any_size_are_stored_whole(client: Client, unique, rows):
    series, f = make_series(client, unique, step="int", x="float")
    run = client.create_run()
    steps = np.arange(rows, dtype=np.int64)
    client.append(run.handle, series, {f["step"]: steps, f["x"]: steps * 0.5})
    [chunk] = client.query(series)
    assert chunk.batch.num_rows == rows
    assert np.array_equal(chunk.batch.column(1).to_numpy(), steps * 0.5)


def test_info_says_the_version_and_where_the_web_app_is(client: Client, server: ServerProcess):
    info = client.info()
    assert info.version == __version__
    assert info.web_url == server.web_url  # as the server printed it, on its own port
