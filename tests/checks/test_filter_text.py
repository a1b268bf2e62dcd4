import datetime as dt
import uuid

import pytest

from streamvis.checks.filter_text import build_filter, format_time, parse_condition, parse_time
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.schema import AttributeCondition, Field, FieldType

FIELDS = {
    f.name: f
    for f in (
        Field(uuid.uuid4(), "lr", FieldType.FLOAT),
        Field(uuid.uuid4(), "epochs", FieldType.INT),
        Field(uuid.uuid4(), "model", FieldType.STRING),
        Field(uuid.uuid4(), "warmup", FieldType.BOOL),
    )
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lr=1e-3", AttributeCondition("lr", equals=1e-3)),
        ("epochs=10", AttributeCondition("epochs", equals=10)),
        ("lr=1e-4..1e-2", AttributeCondition("lr", min=1e-4, max=1e-2)),
        ("epochs=..5", AttributeCondition("epochs", max=5)),
        ("epochs=5..", AttributeCondition("epochs", min=5)),
        ("model=resnet,vit", AttributeCondition("model", one_of=("resnet", "vit"))),
        ("model=a..b", AttributeCondition("model", equals="a..b")),
        ("warmup=yes", AttributeCondition("warmup", equals=True)),
    ],
)
def test_parse_condition(text, expected):
    assert parse_condition(text, FIELDS) == expected


@pytest.mark.parametrize(
    ("text", "error", "problem"),
    [
        ("lr", InvalidArgumentError, "FIELD=VALUE"),
        ("nope=1", NotFoundError, "no field named 'nope'"),
        ("epochs=1.5", InvalidArgumentError, "not a valid int"),
        ("warmup=maybe", InvalidArgumentError, "use true or false"),
    ],
)
def test_parse_condition_refuses(text, error, problem):
    with pytest.raises(error, match=problem):
        parse_condition(text, FIELDS)


def test_parse_time():
    assert parse_time("1700000000") == 1_700_000_000
    expected = dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()
    assert parse_time("2026-11-01") == expected
    assert parse_time("2026-11-01T01:00+01:00") == expected
    with pytest.raises(InvalidArgumentError, match="not a time"):
        parse_time("yesterday")
    assert format_time(expected) == "2026-11-01 00:00:00"


def test_build_filter():
    f = build_filter(
        list(FIELDS.values()), tags_any=["a"], tags_none=["b"], where=["lr=0..1"],
        started_after="2026-11-01",
    )
    assert f.tags_any == ("a",)
    assert f.tags_none == ("b",)
    assert f.attributes == (AttributeCondition("lr", min=0.0, max=1.0),)
    assert f.started_after is not None
    assert f.started_before is None
