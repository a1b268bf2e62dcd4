"""Model <-> protobuf conversions: lossless both ways, and clear about what they refuse."""

from __future__ import annotations

import math
import uuid

import pytest

from streamvis import wire
from streamvis.model import events as ev
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import AttributeCondition, Field, FieldType, Run, RunFilter, Series
from streamvis.v1 import service_pb2 as pb

RUN = Run(uuid.uuid4(), 12.5, ("a", "b"), {"lr": 0.1, "opt": "adam", "seed": 3, "ok": True})
FIELD = Field(uuid.uuid4(), "loss", FieldType.FLOAT, "training loss")


@pytest.mark.parametrize("event", [
    ev.RowsAppended(uuid.uuid4(), "train", 7, 100),
    ev.RunCreated(RUN),
    ev.RunReplaced(RUN),
    ev.RunDeleted(uuid.uuid4()),
    ev.TagsChanged(RUN),
    ev.AttributesChanged(RUN),
    ev.FieldChanged(FIELD),
    ev.SeriesCreated(Series("train", ("step", "loss"))),
    ev.SeriesDeleted("train"),
    ev.PlotChanged("loss", deleted=False),
    ev.DashboardChanged("overview", deleted=True),
], ids=lambda e: type(e).__name__)
def test_every_event_kind_round_trips(event: ev.Event):
    assert wire.event_from_pb(pb.Event.FromString(wire.event_to_pb(event).SerializeToString())) \
        == event


def test_filters_round_trip():
    f = RunFilter(
        handles=(uuid.uuid4(),), tags_any=("a",), tags_all=("b", "c"), tags_none=("d",),
        attributes=(AttributeCondition("opt", equals="adam"),
                    AttributeCondition("seed", one_of=(1, 2)),
                    AttributeCondition("lr", min=0.01),
                    AttributeCondition("lr", max=1.0)),
        started_after=1.0, started_before=2.0,
    )
    assert wire.filter_from_pb(wire.filter_to_pb(f)) == f
    assert wire.filter_from_pb(wire.filter_to_pb(RunFilter())) == RunFilter()


def test_values_keep_their_type():
    for value in (True, 3, 2.5, "s", math.inf):
        back = wire.value_from_pb(wire.value_to_pb(value))
        assert (type(back), back) == (type(value), value)
    with pytest.raises(InvalidArgumentError):
        wire.value_from_pb(pb.Value())
