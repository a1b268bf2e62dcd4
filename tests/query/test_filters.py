"""The data API's argument forms, without a server."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pytest

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import AttributeCondition, Run, RunFilter
from streamvis.query.filters import NO_RUNS, build_filter, condition, runs_filter, seconds

H1, H2 = uuid.uuid4(), uuid.uuid4()
NOV_1 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(("spec", "expected"), [
    (0.1, AttributeCondition("x", equals=0.1)),
    (np.float32(0.5), AttributeCondition("x", equals=0.5)),
    ("adam", AttributeCondition("x", equals="adam")),
    (True, AttributeCondition("x", equals=True)),
    ((1, 2), AttributeCondition("x", min=1, max=2)),
    ((None, 2.5), AttributeCondition("x", max=2.5)),
    ((np.int64(1), None), AttributeCondition("x", min=1)),
    (["a", "b"], AttributeCondition("x", one_of=("a", "b"))),
    (frozenset([3]), AttributeCondition("x", one_of=(3,))),
    (AttributeCondition("x", equals=1), AttributeCondition("x", equals=1)),
])
def test_attribute_condition_forms(spec, expected):
    assert condition("x", spec) == expected


@pytest.mark.parametrize(("spec", "message"), [
    ((1, 2, 3), "a range is a"),
    ((None, None), "has no end"),
    (None, "is None"),
    (object(), "is not an int, float, string or bool"),
    ([1, object()], "is not an int, float, string or bool"),
    (AttributeCondition("y", equals=1), "use the same name"),
    (float("nan"), "NaN"),
])
def test_attribute_condition_errors(spec, message):
    with pytest.raises(InvalidArgumentError, match=message):
        condition("x", spec)


@pytest.mark.parametrize("when", [
    "2026-11-01", "2026-11-01T00:00:00", "2026-11-01T01:00:00+01:00",
    dt.datetime(2026, 11, 1),  # noqa: DTZ001 - naive means UTC
    dt.datetime(2026, 10, 31, 19, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.date(2026, 11, 1), np.datetime64("2026-11-01T00:00"), NOV_1, int(NOV_1), str(NOV_1),
])
def test_times_in_every_form(when):
    assert seconds(when, "started_after") == NOV_1


@pytest.mark.parametrize("when", [True, "soon", float("nan"), np.datetime64("NaT"), [1]])
def test_bad_times(when):
    with pytest.raises(InvalidArgumentError, match="started_after"):
        seconds(when, "started_after")


def test_runs_arguments_become_filters():
    run = Run(H1, 0.0)
    assert runs_filter(None) == RunFilter()
    assert runs_filter(RunFilter(tags_any=("a",))) == RunFilter(tags_any=("a",))
    for form in (run, H1, str(H1), [run], (str(H1),), [H1, run, str(H1)]):
        assert runs_filter(form) == RunFilter(handles=(H1,))  # type: ignore[arg-type]
    assert runs_filter([H1, H2]).handles == (H1, H2)
    assert runs_filter([]) == NO_RUNS
    assert runs_filter(RunFilter(handles=())) == NO_RUNS
    with pytest.raises(InvalidArgumentError, match="not a run or a run handle"):
        runs_filter([1])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError, match="runs must be"):
        runs_filter(3)  # type: ignore[arg-type]


def test_keyword_filters():
    f = build_filter(tags_any="a", tags_all=["b", "c"], tags_none=("d",),
                     attributes={"lr": (0, 1)}, started_after="2026-11-01",
                     started_before=NOV_1 + 1, handles=[H1])
    assert f == RunFilter(
        handles=(H1,), tags_any=("a",), tags_all=("b", "c"), tags_none=("d",),
        attributes=(AttributeCondition("lr", min=0, max=1),), started_after=NOV_1,
        started_before=NOV_1 + 1,
    )
    assert build_filter() == RunFilter()
    assert build_filter(handles=[]) == NO_RUNS
    assert build_filter(attributes={"x": []}) == NO_RUNS
    with pytest.raises(InvalidArgumentError, match="tag names"):
        build_filter(tags_any=[1])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError, match="must be a dict"):
        build_filter(attributes=[("lr", 1)])  # type: ignore[arg-type]
