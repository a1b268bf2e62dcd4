"""The wire's columns (streamvis/wire_columns.py): packed buffers, float32 kept, runs of
broadcast ints, slicing; every malformed column refused by name."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from streamvis import wire_columns
from streamvis.model.errors import InvalidArgumentError
from streamvis.v1 import service_pb2 as pb


@pytest.mark.parametrize(("values", "arrow_type"), [
    (np.array([0, -1, 2**63 - 1, -(2**63)], dtype=np.int64), pa.int64()),
    (np.array([1, 2], dtype=np.int8), pa.int64()),
    (np.array([1, 2**40], dtype=np.uint64), pa.int64()),
    (np.array([1.5, -0.0, math.nan, math.inf, -math.inf]), pa.float64()),
    (np.array([1.5, 2.5], dtype=">f8"), pa.float64()),  # big-endian input
    (np.array([0.25, 0.1, math.nan], dtype=np.float32), pa.float32()),  # kept as logged
    (np.array([0.1, 1e38], dtype=">f4"), pa.float32()),
    (np.array([True, False, True]), pa.bool_()),
    (np.arange(19) % 3 == 0, pa.bool_()),  # bits packed across three bytes
    (np.array([], dtype=np.float32), pa.float32()),
    (np.array(["a", "ünï", ""]), pa.string()),
    (pa.array(["x", "y"]), pa.string()),
    (pa.array([1.0, math.nan]), pa.float64()),
    (pa.array([True, False]), pa.bool_()),
])
def test_columns_round_trip_bit_for_bit(values, arrow_type):
    got = wire_columns.column_from_pb(pb.Column.FromString(
        wire_columns.column_to_pb("c", values).SerializeToString()
    ))
    assert got.type == arrow_type
    expected = values.to_pylist() if isinstance(values, pa.Array) else values.tolist()
    if pa.types.is_floating(arrow_type):
        want = np.asarray(values, dtype=arrow_type.to_pandas_dtype())
        assert got.to_numpy().tobytes() == want.tobytes()
    else:
        assert got.to_pylist() == expected


def test_packed_numbers_decode_without_a_copy():
    """The Arrow array wraps the request's bytes: decoding costs no pass over the values."""
    data = np.arange(1000, dtype="<f8").tobytes()
    col = pb.Column(field="x", floats=data)
    raw = col.floats
    got = wire_columns._arrow("x", raw, np.dtype("<f8"), "float", pa.float64())
    assert got.buffers()[1].address == np.frombuffer(raw, dtype=np.uint8).ctypes.data
    got.validate(full=True)
    assert got.to_numpy().tobytes() == data


def test_unsigned_values_beyond_int64_are_refused_not_wrapped():
    with pytest.raises(InvalidArgumentError, match="2\\*\\*63"):
        wire_columns.column_to_pb("big", np.array([2**64 - 1], dtype=np.uint64))


@pytest.mark.parametrize(("column", "problem"), [
    (pb.Column(field="x", floats=b"\0" * 9), "whole number of 8-byte"),
    (pb.Column(field="x", ints=b"\0" * 4), "whole number of 8-byte"),
    (pb.Column(field="x", bools=b"\x00\x05"), "0 or 1"),
    (pb.Column(field="x"), "carries no values"),
])
def test_malformed_columns_are_refused_by_name(column: pb.Column, problem: str):
    with pytest.raises(InvalidArgumentError, match=problem) as info:
        wire_columns.column_from_pb(column)
    assert "'x'" in str(info.value)


def test_a_field_given_twice_is_refused():
    col = wire_columns.column_to_pb("x", np.ones(2))
    with pytest.raises(InvalidArgumentError, match="more than once"):
        wire_columns.columns_from_pb([col, col])


def test_broadcast_ints_travel_as_runs_and_read_back_plain():
    steps = np.repeat(np.array([7, 7, 9, -3], dtype=np.int64), [100, 50, 1, 200])
    runs = wire_columns.runs_of(steps)
    assert runs is not None
    col = pb.Column.FromString(wire_columns.runs_to_pb("step", *runs).SerializeToString())
    assert col.WhichOneof("data") == "run_ends"
    assert len(col.run_ends.values) == 3 * 8  # 7, 9, -3: the two 7-runs are one
    got = wire_columns.column_from_pb(col)
    assert pa.types.is_run_end_encoded(got.type)
    assert pa.compute.run_end_decode(got).to_numpy().tolist() == steps.tolist()
    assert wire_columns.column_rows(col) == len(steps)
    for start, end in [(0, 351), (0, 1), (99, 151), (150, 151), (151, 351), (120, 300)]:
        part = wire_columns.column_from_pb(wire_columns.slice_column(col, start, end))
        assert pa.compute.run_end_decode(part).to_numpy().tolist() == \
            steps[start:end].tolist(), (start, end)


def test_counting_or_short_ints_stay_plain():
    assert wire_columns.runs_of(np.arange(10_000)) is None
    assert wire_columns.runs_of(np.array([5] * 10)) is None  # too short to gain anything
    half = np.repeat(np.arange(5_000), 2)  # runs of two: not worth it
    assert wire_columns.runs_of(half) is None


@pytest.mark.parametrize(("values", "ends"), [
    ([1, 2], [3]), ([1], [0]), ([1, 2], [3, 3]), ([1, 2], [4, 2]), ([], []),
])
def test_bad_runs_are_refused(values, ends):
    col = pb.Column(field="s", run_ends=pb.IntRuns(
        values=np.array(values, dtype="<i8").tobytes(), ends=np.array(ends, "<i4").tobytes()))
    with pytest.raises(InvalidArgumentError, match="runs need one value per end"):
        wire_columns.column_from_pb(col)


def test_columns_filled_in_place_are_the_columns_built_apart():
    # A request's columns are filled where they lie (no second copy of each buffer);
    # what travels is byte for byte what a column built apart and copied in gives.
    steps = np.repeat(np.array([3, 4], dtype=np.int64), [40, 60])
    columns: dict[str, pa.Array | np.ndarray] = {
        "f32": np.arange(100, dtype=np.float32), "f64": np.linspace(0, 1, 100),
        "i": np.arange(100, dtype=np.int16), "b": np.arange(100) % 2 == 0,
        "s": np.array([str(i) for i in range(100)]), "a": pa.array([str(i) for i in range(100)]),
        "runs": pa.RunEndEncodedArray.from_arrays(pa.array([40, 100], pa.int32()),
                                                  pa.array([3, 4], pa.int64())),
    }
    apart = pb.AppendToSeriesRequest(run="r", series="s", columns=[
        wire_columns.column_to_pb(name, col) for name, col in columns.items()])
    in_place = pb.AppendToSeriesRequest(run="r", series="s")
    wire_columns.add_columns(in_place.columns, columns.items())
    assert in_place.SerializeToString() == apart.SerializeToString()
    runs = wire_columns.runs_of(steps)
    assert runs is not None
    into = in_place.columns.add()
    assert wire_columns.runs_to_pb("step", *runs, into) is into
    assert into == wire_columns.runs_to_pb("step", *runs)
    for start, end in [(0, 100), (10, 50), (99, 100)]:
        for col in in_place.columns:
            sliced = pb.AppendToSeriesRequest().columns.add()
            assert wire_columns.slice_column(col, start, end, sliced) is sliced
            assert sliced == wire_columns.slice_column(col, start, end)
