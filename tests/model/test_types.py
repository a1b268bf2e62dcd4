"""The field type registry: handles, rows, registration and its checks."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.types import DISCRETE, NUMERIC, TYPES, FieldType, TypeRow


def _row(name: str, **changes: object) -> TypeRow:
    row = TypeRow(
        name, pa.int64(), frozenset({NUMERIC}), "a test type", wire_column="ints",
        host=np.dtype(np.int64), python=int, scalars=frozenset({int}), kinds="iu",
        value_column="v_int", parse_text=int, json_kind="number",
    )
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]


def test_a_type_has_one_handle_whatever_way_it_is_named():
    assert FieldType("float") is FieldType.FLOAT
    assert FieldType.parse(" Float ") is FieldType.FLOAT
    assert pickle.loads(pickle.dumps(FieldType.BOOL)) is FieldType.BOOL  # noqa: S301 - our own bytes
    assert FieldType.INT == "int" and FieldType.INT.value == "int" and f"{FieldType.INT}" == "int"
    assert FieldType.STRING.row is TYPES["string"]
    assert list(FieldType) == [FieldType.INT, FieldType.FLOAT, FieldType.STRING, FieldType.BOOL,
                               FieldType("image"), FieldType("audio"), FieldType("video")]


def test_an_unknown_type_is_refused_with_the_choices():
    with pytest.raises(InvalidArgumentError, match="unknown field type 'double': use one of "
                       "int, float, string, bool"):
        FieldType.parse("double")
    with pytest.raises(ValueError, match="not a registered field type"):
        FieldType("double")


def test_the_built_in_traits():
    assert TYPES.with_trait(NUMERIC) == {"int", "float"}
    assert TYPES.with_trait(DISCRETE) == {"int", "string", "bool"}
    assert TYPES.ordered_with_trait(DISCRETE) == (FieldType.INT, FieldType.STRING, FieldType.BOOL)


def test_a_registered_type_is_a_type_until_it_is_unregistered():
    handle = TYPES.register(_row("throwaway"))
    try:
        assert FieldType.parse("throwaway") is handle
        assert handle in list(FieldType)
        assert "throwaway" in TYPES.with_trait(NUMERIC)
        assert handle.row.int64
    finally:
        TYPES.unregister("throwaway")
    assert "throwaway" not in TYPES
    with pytest.raises(InvalidArgumentError):
        FieldType.parse("throwaway")


@pytest.mark.parametrize(("changes", "problem"), [
    ({"traits": frozenset({"loud"})}, "unknown traits"),
    ({"wire_column": "blobs"}, "wire column 'blobs'"),
    ({"value_column": "v_blob"}, "value column 'v_blob'"),
    ({"cache_codec": "zip"}, "cache codec 'zip'"),
    ({"json_kind": "date"}, "JSON kind 'date'"),
    ({"guessed_from": "i"}, "kind 'i' is guessed as 'int' already"),
])
def test_a_row_the_code_cannot_serve_is_refused(changes, problem):
    with pytest.raises(ValueError, match=problem):
        TYPES.register(_row("broken", **changes))
    assert "broken" not in TYPES


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="registered already"):
        TYPES.register(_row("int"))
    assert TYPES["int"].python is int


def test_the_logger_guesses_the_built_in_types_from_dtype_kinds():
    assert [TYPES.guess(k) for k in "iufbU"] == [
        FieldType.INT, FieldType.INT, FieldType.FLOAT, FieldType.BOOL, FieldType.STRING,
    ]
    assert TYPES.guess("c") is None


def test_a_row_may_name_its_arrow_type_and_dtype():
    # The built-in rows name them (so the registry imports no numpy or pyarrow,
    # tests/cli/test_startup.py); a row gives the same objects either way.
    assert FieldType.INT.row.arrow_type == pa.int64() and FieldType.INT.row.dtype == np.int64
    assert FieldType.BOOL.arrow_type == pa.bool_() and FieldType.STRING.row.dtype.kind == "U"
    narrow = FieldType.FLOAT.row.narrow
    assert narrow is not None and narrow.arrow_type == pa.float32()
    assert narrow.dtype == np.float32
    named, given = _row("a"), _row("b", arrow="int64", host="int64")
    assert (named.arrow_type, named.dtype) == (given.arrow_type, given.dtype)
    assert named.int64 and given.int64 and not FieldType.FLOAT.row.int64
    with pytest.raises(TypeError, match="no Arrow type"):
        _ = _row("c", arrow="default_memory_pool").arrow_type
