"""The data API against a real server, on SQLite and PostgreSQL: runs, fetch, batches."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import streamvis
from streamvis.model.errors import InvalidArgumentError, NotFoundError, UnavailableError
from streamvis.model.schema import AttributeCondition, RunFilter
from streamvis.query import Connection, RunList

from .conftest import World


def names(world: World, runs) -> set[str]:
    return {world.name_of(r.handle) for r in runs}


def test_connect_defaults_to_streamvis_uri(monkeypatch):
    monkeypatch.setenv("STREAMVIS_URI", "127.0.0.1:1")
    with streamvis.connect() as sv:
        assert sv.uri == "127.0.0.1:1"
        assert repr(sv) == "Connection('127.0.0.1:1')"
        with pytest.raises(UnavailableError, match="streamvis serve"):
            sv.fields()
    monkeypatch.delenv("STREAMVIS_URI")
    with streamvis.connect() as sv:
        assert sv.uri == "localhost:8001"


def test_the_issue_example_works(sv: Connection, world: World):
    runs = sv.runs(tags_any=["baseline"], attributes={"lr": (1e-4, 1e-2)},
                   started_after="2026-11-01")
    assert isinstance(runs, RunList)
    assert names(world, runs) == {"a"}
    table = sv.fetch("train", fields=["step", "loss"], runs=runs, attributes=["lr"])
    assert table.schema == pa.schema([
        ("run", pa.dictionary(pa.int32(), pa.string())), ("step", pa.int64()),
        ("loss", pa.float64()), ("lr", pa.float64()),
    ])
    assert table.to_pydict() == {
        "run": [str(world.runs["a"].handle)] * 5, "step": [0, 1, 2, 3, 4],
        "loss": [0.0, 0.5, 1.0, 1.5, 2.0], "lr": [1e-3] * 5,
    }
    df = table.to_pandas()
    assert list(df.columns) == ["run", "step", "loss", "lr"]
    assert df["step"].dtype == np.int64
    assert df["loss"].sum() == 5.0
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["step"] == pl.Int64
    assert frame.height == 5


def test_metadata_wrappers(sv: Connection, world: World):
    assert {"step", "loss", "lr"} <= {f.name for f in sv.fields()}
    assert [s.fields for s in sv.series() if s.name == "train"] == [
        ("step", "loss", "phase", "ok")
    ]
    assert sv.tags(world.runs.values()) == {"world": 4, "baseline": 2, "big": 2}
    assert sv.tags(RunFilter(tags_any=("big",))) == {"world": 2, "baseline": 1, "big": 2}
    assert [s.name for s in sv.common_series(runs=[world.runs["a"]])] == ["eval", "train"]
    assert [s.name for s in sv.common_series(runs=world.runs.values())] == ["train"]
    assert sv.common_series(runs=[]) == []
    common = sv.common_attributes(runs=sv.runs(tags_any="big"))
    assert [f.name for f in common] == ["epochs", "fast", "lr", "optimizer"]
    values = sv.attribute_values("optimizer", runs=sv.runs(tags_all="world"))
    assert dict(values["optimizer"]) == {"adam": 2, "sgd": 1, "lion": 1}


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"tags_any": "baseline"}, "ab"),
    ({"tags_all": ["baseline", "big"]}, "b"),
    ({"tags_all": "world", "tags_none": ["big"]}, "ad"),
    ({"attributes": {"lr": (1e-4, 1e-2)}}, "ac"),
    ({"attributes": {"lr": (None, 5e-3)}}, "ac"),  # inclusive, open below
    ({"attributes": {"lr": (5e-3, None)}}, "bc"),
    ({"attributes": {"lr": (0, 1)}}, "abc"),  # ints compare with a float field
    ({"attributes": {"optimizer": "adam"}}, "ac"),
    ({"attributes": {"optimizer": ["sgd", "lion"]}}, "bd"),
    ({"attributes": {"epochs": {10, 30}}}, "ac"),
    ({"attributes": {"epochs": np.int64(20), "fast": False}}, "b"),
    ({"attributes": {"fast": AttributeCondition("fast", equals=True)}}, "ac"),
    ({"attributes": {"optimizer": []}}, ""),
    ({"started_after": "2026-11-05"}, "bc"),  # inclusive
    ({"started_after": dt.datetime(2026, 11, 5)}, "bc"),  # naive means UTC  # noqa: DTZ001
    ({"started_after": dt.datetime(2026, 11, 5, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))},
     "bc"),
    ({"started_after": dt.date(2026, 11, 3), "started_before": "2026-11-10"}, "b"),
    ({"started_before": np.datetime64("2026-11-01")}, "d"),
    ({"started_after": dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()}, "abc"),
    ({"tags_any": "world", "limit": 2}, 2),
])
def test_runs_filters(sv: Connection, world: World, kwargs, expected):
    runs = sv.runs(**kwargs)
    if isinstance(expected, int):
        assert len(runs) == expected
    else:
        assert names(world, runs) == set(expected)


def test_runs_by_handle(sv: Connection, world: World):
    a, b = world.runs["a"], world.runs["b"]
    assert names(world, sv.runs(handles=[a.handle, str(b.handle), a])) == {"a", "b"}
    assert names(world, sv.runs(handles=str(a.handle), tags_any="big")) == set()
    assert sv.runs(handles=[]) == []
    assert sv.runs(handles=[uuid.uuid4()]) == []


def test_a_unique_handle_prefix_names_its_run(sv: Connection, world: World):
    a, b = world.runs["a"], world.runs["b"]
    prefix = str(a.handle)[:8]
    assert sv.fetch("train", ["step"], runs=prefix).num_rows == 5
    assert sv.fetch("train", ["step"], runs=[prefix, str(a.handle)]).num_rows == 5
    assert names(world, sv.runs(handles=[prefix, str(b.handle)[:6]])) == {"a", "b"}
    assert sv.run_info(prefix.upper()).run.handle == a.handle
    assert sv.client.get_run(prefix) == sv.runs(handles=a)[0]
    with pytest.raises(NotFoundError, match="no run with a handle starting '000000000000'"):
        sv.fetch("train", runs="000000000000")
    with pytest.raises(InvalidArgumentError, match="at least its first 4 hex digits"):
        sv.tags(runs=[a, "abc"])


@pytest.mark.usefixtures("world")
def test_runs_refuses_bad_filters_with_clear_errors(sv: Connection):
    with pytest.raises(NotFoundError, match="'nope'"):
        sv.runs(attributes={"nope": 1})
    with pytest.raises(InvalidArgumentError, match="does not fit field 'optimizer'"):
        sv.runs(attributes={"optimizer": 3})
    with pytest.raises(InvalidArgumentError, match=r"a range is a \(lo, hi\) tuple"):
        sv.runs(attributes={"lr": (1, 2, 3)})  # type: ignore[dict-item]
    with pytest.raises(InvalidArgumentError, match="is not a time"):
        sv.runs(started_after="last tuesday")
    with pytest.raises(InvalidArgumentError, match="neither a UUID nor a prefix"):
        sv.runs(handles=["run-1"])


def test_run_list_as_a_table(sv: Connection, world: World):
    runs = sv.runs(tags_any="big")
    table = runs.to_arrow()
    assert table.column_names == [
        "handle", "started_at", "tags", "epochs", "fast", "lr", "optimizer"
    ]
    assert table.schema.field("started_at").type == pa.timestamp("us", tz="UTC")
    rows = {r["handle"]: r for r in table.to_pylist()}
    b = rows[str(world.runs["b"].handle)]
    assert b["tags"] == ["baseline", "big", "world"]
    assert b["started_at"] == dt.datetime(2026, 11, 5, tzinfo=dt.UTC)
    assert (b["epochs"], b["fast"], b["lr"], b["optimizer"]) == (20, False, 0.1, "sgd")
    assert set(runs.handles) == world.handles("b", "c")
    assert len(runs.to_pandas()) == 2
    assert RunList().to_arrow().num_rows == 0


def test_fetch_gives_every_field_by_default_in_stored_order(sv: Connection, world: World):
    table = sv.fetch("train")
    assert table.column_names == ["run", "step", "loss", "phase", "ok"]
    assert list(table.schema.types) == [
        pa.dictionary(pa.int32(), pa.string()), pa.int64(), pa.float64(), pa.string(), pa.bool_()
    ]
    expected_runs = [name for name, _, rows in world.chunks for _ in range(rows)]
    assert [world.name_of(h) for h in table["run"].to_pylist()] == expected_runs
    a_rows = table.filter(pa.compute.equal(table["run"], str(world.runs["a"].handle)))
    assert a_rows["phase"].to_pylist() == ["a0", "a1", "a2", "a3", "a4"]
    assert a_rows["ok"].to_pylist() == [True, False, True, False, True]


def test_fetch_broadcasts_attributes_of_every_type(sv: Connection, world: World):
    table = sv.fetch("train", fields="step", runs=RunFilter(tags_any=("big",)),
                     attributes=["optimizer", "epochs", "fast", "lr"])
    assert table.schema == pa.schema([
        ("run", pa.dictionary(pa.int32(), pa.string())), ("step", pa.int64()),
        ("optimizer", pa.string()),
        ("epochs", pa.int64()), ("fast", pa.bool_()), ("lr", pa.float64()),
    ])
    by_run = {
        world.name_of(r["run"]): (r["optimizer"], r["epochs"], r["fast"], r["lr"])
        for r in table.to_pylist()
    }
    assert by_run == {"b": ("sgd", 20, False, 0.1), "c": ("adam", 30, True, 5e-3)}
    assert table.num_rows == 5
    # A run without a requested attribute (d has no lr) is left out.
    assert {world.name_of(h) for h in sv.fetch("train", attributes="lr")["run"].to_pylist()} \
        == {"a", "b", "c"}


def test_fetch_takes_runs_in_every_form(sv: Connection, world: World):
    a, c = world.runs["a"], world.runs["c"]
    for runs in (a, a.handle, str(a.handle), [a], [str(a.handle)], RunFilter(handles=(a.handle,))):
        assert sv.fetch("train", ["step"], runs=runs).num_rows == 5
    assert sv.fetch("train", ["step"], runs=(r for r in (a, c))).num_rows == 6


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("runs", [[], RunFilter(handles=()), RunFilter(tags_any=("none",))])
def test_a_query_matching_nothing_gives_an_empty_table_of_the_right_schema(
    sv: Connection, runs
):
    table = sv.fetch("train", fields=["ok", "step"], runs=runs, attributes=["optimizer"])
    assert table.num_rows == 0
    assert table.schema == pa.schema([
        ("run", pa.dictionary(pa.int32(), pa.string())), ("ok", pa.bool_()), ("step", pa.int64()),
        ("optimizer", pa.string()),
    ])
    df = table.to_pandas()
    assert list(df.columns) == ["run", "ok", "step", "optimizer"]
    assert len(df) == 0


def test_series_without_data_in_the_runs_or_after_the_last_chunk_is_empty(
    sv: Connection, world: World
):
    assert sv.fetch("eval", runs=world.runs["b"]).column_names == ["run", "step", "loss"]
    assert sv.fetch("eval", runs=world.runs["b"]).num_rows == 0
    last = world.chunks[-1][1]
    assert sv.fetch("train", after_sequence=last).num_rows == 0


def test_after_sequence_keeps_only_later_chunks(sv: Connection, world: World):
    _, seq, _ = world.chunks[2]  # a's second chunk
    table = sv.fetch("train", ["step"], after_sequence=seq)
    assert [world.name_of(h) for h in table["run"].unique().to_pylist()] == ["c", "d"]


@pytest.mark.usefixtures("world")
def test_unknown_names_raise_the_servers_errors(sv: Connection):
    with pytest.raises(NotFoundError, match="no series named 'nope'"):
        sv.fetch("nope")
    with pytest.raises(NotFoundError, match="no series named 'nope'"):
        sv.fetch("nope", runs=[])  # checked even when no run matches
    with pytest.raises(InvalidArgumentError, match="has no field 'lr'; its fields are"):
        sv.fetch("train", ["step", "lr"])
    with pytest.raises(NotFoundError, match="nope"):
        sv.fetch("train", attributes=["nope"])
    with pytest.raises(InvalidArgumentError, match="given more than once"):
        sv.fetch("train", ["step", "step"])
    with pytest.raises(InvalidArgumentError, match="'step' would appear twice"):
        sv.fetch("train", ["step"], attributes=["step"])
    with pytest.raises(InvalidArgumentError, match="after_sequence must be an integer"):
        sv.fetch("train", after_sequence=1.5)  # type: ignore[arg-type]
    # The connection serves on after each error.
    assert sv.fetch("train", ["step"]).num_rows == 12


@pytest.mark.usefixtures("world")
def test_run_column_takes_another_name(sv: Connection):
    with pytest.raises(InvalidArgumentError, match="'step' would appear twice"):
        sv.fetch("train", ["step"], run_column="step")
    table = sv.fetch("train", ["step"], run_column="run_id")
    assert table.column_names == ["run_id", "step"]


def test_iter_batches_yields_one_batch_per_chunk(sv: Connection, world: World):
    schema = sv.fetch("train", runs=[]).schema
    with sv.iter_batches("train") as stream:
        assert stream.schema == schema
        batches = list(stream)
        assert stream.last_sequence == world.chunks[-1][1]
    assert [b.num_rows for b in batches] == [rows for _, _, rows in world.chunks]
    assert [world.name_of(b["run"][0].as_py()) for b in batches] == [
        name for name, _, _ in world.chunks
    ]
    assert all(b.schema == schema for b in batches)
    with sv.iter_batches("train", runs=[]) as stream:
        assert list(stream) == []
        assert stream.read_all().schema == schema


def test_iter_batches_left_early_ends_the_query(sv: Connection, world: World):
    stream = sv.iter_batches("train", ["step"])
    first = next(stream)
    assert first.num_rows == world.chunks[0][2]
    rest = stream.read_all()
    assert rest.num_rows == sum(rows for _, _, rows in world.chunks[1:])
    stream = sv.iter_batches("train", ["step"])
    next(stream)
    stream.close()
    assert list(stream) == []
    for _ in sv.iter_batches("train"):
        break
    assert sv.fetch("train", ["step"]).num_rows == 12


@pytest.mark.usefixtures("world")
def test_iter_batches_as_a_record_batch_reader(sv: Connection):
    with sv.iter_batches("train", ["step", "loss"], attributes="optimizer") as stream:
        reader = stream.to_reader()
        assert reader.schema.names == ["run", "step", "loss", "optimizer"]
        assert reader.read_all().num_rows == 12


@pytest.mark.usefixtures("world")
def test_pandas_sees_typed_columns(sv: Connection):
    df = sv.fetch("train", attributes=["epochs", "fast"]).to_pandas()
    assert df["step"].dtype == np.int64
    assert df["loss"].dtype == np.float64
    assert df["ok"].dtype == np.bool_
    assert df["epochs"].dtype == np.int64
    assert df["fast"].dtype == np.bool_
    assert pd.api.types.is_string_dtype(df["phase"])
    assert df.groupby("run")["step"].max().sort_values().tolist() == [0, 3, 4]


def test_float32_round_trips_bit_exact_and_widens_on_request(sv: Connection, server):
    streamvis.declare_schema({"w32_x": "float", "w32_i": "int"}, {"w32": ["w32_i", "w32_x"]},
                             uri=server.uri)
    rng = np.random.default_rng(7)
    xs = [rng.standard_normal(1_000).astype(np.float32) for _ in range(3)]
    with streamvis.DataLogger(server.uri, flush_every=3600) as logger:
        for i, x in enumerate(xs):
            logger.write("w32", w32_i=i, w32_x=x)
            assert logger.flush()
    run = [logger.run_handle]
    table = sv.fetch("w32", runs=run)
    assert table.schema.field("w32_x").type == pa.float32()
    assert table["w32_x"].to_numpy().tobytes() == np.concatenate(xs).tobytes()
    # The write's one int, broadcast to its points, travels and is stored once a write.
    assert table["w32_i"].type == pa.int64()
    assert table["w32_i"].to_pylist() == [i for i in range(3) for _ in range(1_000)]
    wide = sv.fetch("w32", runs=run, float64=True)
    assert wide.schema.field("w32_x").type == pa.float64()
    assert wide["w32_x"].to_numpy().tobytes() == np.concatenate(xs).astype(np.float64).tobytes()
    # A Python float widens its batch; fetch widens the mixed result, exactly.
    with streamvis.DataLogger(server.uri, run_handle=logger.run_handle, resume=True) as again:
        again.write("w32", w32_i=9, w32_x=0.1)
    mixed = sv.fetch("w32", runs=run)
    assert mixed.schema.field("w32_x").type == pa.float64()
    assert mixed["w32_x"].to_pylist() == [*np.concatenate(xs).astype(np.float64).tolist(), 0.1]
    with sv.iter_batches("w32", runs=run) as stream:
        assert stream.schema.field("w32_x").type == pa.float32()
        with pytest.raises(InvalidArgumentError, match="read it with float64=True"):
            list(stream)


@pytest.mark.usefixtures("world")
def test_the_run_column_holds_each_handle_once_per_chunk(sv: Connection):
    table = sv.fetch("train")
    runs = table["run"]
    assert runs.type == pa.dictionary(pa.int32(), pa.string())
    # One string per chunk; per row only a 4-byte index.
    assert all(len(chunk.dictionary) == 1 for chunk in runs.chunks)
    assert runs.nbytes <= 4 * table.num_rows + sum(len(c.dictionary) * 40 for c in runs.chunks)
    assert runs.to_pylist() == runs.cast(pa.string()).to_pylist()


@pytest.mark.usefixtures("world")
def test_a_fetch_does_not_import_pandas(server):
    # pyarrow's pa.array imports pandas on its first use (0.3 s and 52 MB here): a program
    # that only reads must not pay for it (model/arrays.py). Every kind of field and
    # attribute is fetched, and the runs listed as a table, in a fresh process.
    code = (
        "import sys, streamvis\n"
        "with streamvis.connect(sys.argv[1]) as sv:\n"
        "    t = sv.fetch('train', attributes=['lr', 'optimizer', 'epochs', 'fast'])\n"
        "    r = sv.runs().to_arrow()\n"
        "t.validate(full=True)\n"
        "r.validate(full=True)\n"
        "print(t.num_rows, sorted(set(t.column('phase').to_pylist()))[0], r.num_rows > 0,\n"
        "      'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, server.uri], capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    assert out == ["10", "a0", "True", "False"]
