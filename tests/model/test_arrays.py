"""Arrow arrays built from buffers (model/arrays.py) equal what pa.array builds."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model import arrays


@pytest.mark.parametrize(("value", "type_"), [
    (3, pa.int64()), (-(2**63), pa.int64()), (2.5, pa.float64()), (float("nan"), pa.float64()),
    (True, pa.bool_()), (False, pa.bool_()), ("ünï", pa.string()), ("", pa.string()),
])
@pytest.mark.parametrize("rows", [0, 1, 7, 9, 1000])
def test_repeated_is_what_pa_array_gives(value, type_, rows):
    got = arrays.repeated(value, type_, rows)
    got.validate(full=True)
    assert got.type == type_
    if isinstance(value, float) and math.isnan(value):
        assert np.isnan(got.to_numpy(zero_copy_only=False)).all()
    else:
        assert got.equals(pa.array([value] * rows, type_))


@pytest.mark.parametrize("texts", [[], [""], ["a", "ünï", "", "x" * 1000]])
def test_strings_are_what_pa_array_gives(texts):
    got = arrays.strings(texts)
    got.validate(full=True)
    assert got.equals(pa.array(texts, pa.string()))


@pytest.mark.parametrize(("values", "type_"), [
    (np.array([1, -2, 2**62], ">i8"), pa.int64()), (np.arange(5, dtype=np.int32), pa.int32()),
    (np.array([0.5, -1.25], ">f4"), pa.float32()), (np.arange(10.0)[::2], pa.float64()),
    (np.array([7], np.uint16), pa.uint16()),
])
def test_numbers_are_native_contiguous_and_exact(values, type_):
    got = arrays.numbers(values, type_)
    got.validate(full=True)
    assert got.type == type_
    assert got.to_pylist() == values.tolist()


def test_bools_pack_bits_least_first():
    values = np.arange(19) % 3 == 0
    got = arrays.bools(values)
    got.validate(full=True)
    assert got.to_pylist() == values.tolist()


@pytest.mark.parametrize("items", [
    [1, None, 3], [None, 2**62, -(2**63)], [0.5, None, 2], [1, 2, 3.25], [True, None, False],
    ["sgd", None, "adamw", "é✓"], [None, None], [], [math.nan, None, math.inf],
    [None, "x"], [False], [None] * 9 + [7],
])
def test_values_are_what_pa_array_gives(items):
    got, expected = arrays.values(items), pa.array(items)
    got.validate(full=True)
    # repr: NaN is not equal to itself, and `equals` says so.
    assert (got.type, got.null_count, repr(got.to_pylist())) == (
        expected.type, expected.null_count, repr(expected.to_pylist()))


@pytest.mark.parametrize("items", [[True, 2], ["a", 1], [1, "a"], [2.5, True]])
def test_values_of_mixed_kinds_do_as_pa_array_does(items):
    try:
        expected = pa.array(items)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        with pytest.raises(type(exc)):
            arrays.values(items)
    else:
        assert arrays.values(items).equals(expected)
