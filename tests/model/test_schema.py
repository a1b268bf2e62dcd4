import math
import uuid

import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import (
    AttributeCondition,
    Field,
    FieldType,
    Series,
    coerce_value,
    dedupe,
    parse_handle,
    validate_columns,
    validate_name,
)


@pytest.mark.parametrize("name", ["loss", "a", "x" * 128, "train/loss", "Ünïcode name"])
def test_valid_names(name):
    assert validate_name("field", name) == name


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("x" * 129, "at most 128"),
        (" loss", "whitespace"),
        ("loss\n", "whitespace"),
        ("lo\tss", "control character"),
        ("lo\x00ss", "control character"),
        ("lo\u200bss", "control character"),
    ],
)
def test_invalid_names(name, problem):
    with pytest.raises(InvalidArgumentError, match=problem):
        validate_name("field", name)


def test_field_type_parse():
    assert FieldType.parse(" Float ") is FieldType.FLOAT
    with pytest.raises(InvalidArgumentError, match="use one of int, float, string, bool"):
        FieldType.parse("double")


def test_parse_handle():
    h = uuid.uuid4()
    assert parse_handle(str(h)) == h
    with pytest.raises(InvalidArgumentError, match="not a UUID"):
        parse_handle("run-1")


def _field(name: str, t: FieldType) -> Field:
    return Field(uuid.uuid4(), name, t)


@pytest.mark.parametrize(
    ("t", "value", "expected"),
    [
        (FieldType.INT, 3, 3),
        (FieldType.FLOAT, 3, 3.0),
        (FieldType.FLOAT, math.inf, math.inf),
        (FieldType.BOOL, True, True),
        (FieldType.STRING, "resnet", "resnet"),
    ],
)
def test_coerce_value_accepts(t, value, expected):
    out = coerce_value(_field("f", t), value)
    assert out == expected
    assert type(out) is type(expected)


@pytest.mark.parametrize(
    ("t", "value"),
    [
        (FieldType.INT, True),
        (FieldType.INT, 1.5),
        (FieldType.INT, "1"),
        (FieldType.FLOAT, "1.0"),
        (FieldType.FLOAT, False),
        (FieldType.BOOL, 1),
        (FieldType.STRING, 1),
    ],
)
def test_coerce_value_refuses(t, value):
    with pytest.raises(InvalidArgumentError, match="does not fit field 'f'"):
        coerce_value(_field("f", t), value)


def test_coerce_value_int_range():
    with pytest.raises(InvalidArgumentError, match="64 bits"):
        coerce_value(_field("f", FieldType.INT), 2**63)


FIELDS = {"step": _field("step", FieldType.INT), "loss": _field("loss", FieldType.FLOAT)}
SERIES = Series("train", ("step", "loss"))


def test_validate_columns_orders_by_series():
    batch = validate_columns(
        SERIES, FIELDS, {"loss": pa.array([0.5, math.nan]), "step": pa.array([1, 2])}
    )
    assert batch.schema.names == ["step", "loss"]
    assert batch.num_rows == 2


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ({"step": pa.array([1])}, "missing: loss"),
        (
            {"step": pa.array([1]), "loss": pa.array([1.0]), "acc": pa.array([1.0])},
            "no field 'acc'",
        ),
        ({"step": pa.array([1, 2]), "loss": pa.array([1.0])}, "differ in length"),
        ({"step": pa.array([1.0]), "loss": pa.array([1.0])}, "field 'step' is int"),
        ({"step": pa.array([1, None]), "loss": pa.array([1.0, 2.0])}, "missing values"),
        ({"step": pa.array([], pa.int64()), "loss": pa.array([], pa.float64())}, "no rows"),
    ],
)
def test_validate_columns_refuses(columns, problem):
    with pytest.raises(InvalidArgumentError, match=problem):
        validate_columns(SERIES, FIELDS, columns)


def test_attribute_condition_needs_exactly_one_kind():
    with pytest.raises(InvalidArgumentError, match="exactly one"):
        AttributeCondition("lr")
    with pytest.raises(InvalidArgumentError, match="exactly one"):
        AttributeCondition("lr", equals=1.0, min=0.0)
    with pytest.raises(InvalidArgumentError, match="NaN"):
        AttributeCondition("lr", equals=math.nan)
    assert AttributeCondition("lr", max=1.0).min is None


def test_dedupe():
    assert dedupe(["a", "b"], "field") == ("a", "b")
    with pytest.raises(InvalidArgumentError, match="'a' given more than once"):
        dedupe(["a", "b", "a"], "field")
