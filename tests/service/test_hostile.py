"""Hostile input over gRPC that once got INTERNAL: specs nested past MAX_JSON_DEPTH
(the stdlib parser's RecursionError) are INVALID_ARGUMENT and store nothing."""

from __future__ import annotations

import pytest

from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_JSON_DEPTH
from streamvis.v1 import service_pb2 as pb

DEEP = "[" * 3000 + "]" * 3000


def _nested_spec(levels: int) -> str:
    """A plot spec whose "note" nests arrays so the whole spec is `levels` deep."""
    inner = levels - 1
    return '{"kind": "line", "note": ' + "[" * inner + "]" * inner + "}"


@pytest.mark.parametrize("spec_json", [
    DEEP, _nested_spec(MAX_JSON_DEPTH + 1), "{" * 3000,
    '{"quoted": "' + "[" * 3000 + '", "deep": ' + DEEP + "}",
], ids=["arrays", "one-past-the-limit", "unclosed", "after-a-string"])
def test_deeply_nested_specs_are_invalid_argument(client: Client, unique, spec_json: str):
    before = (client.plots(), client.dashboards())
    for rpc, request in (
        (client.stub.SavePlot, pb.SavePlotRequest(name=unique("p"), spec_json=spec_json)),
        (client.stub.SaveDashboard,
         pb.SaveDashboardRequest(name=unique("d"), spec_json=spec_json)),
    ):
        with pytest.raises(InvalidArgumentError, match=f"more than {MAX_JSON_DEPTH} levels"):
            client.call(rpc, request)
    assert (client.plots(), client.dashboards()) == before


def test_nesting_at_the_limit_is_read_and_checked(client: Client, unique):
    # Brackets inside a string do not count; at the limit the spec is parsed and
    # checked like any other (here refused for having no datasets).
    spec = _nested_spec(MAX_JSON_DEPTH)[:-1] + ', "title": "' + "[" * 100 + '"}'
    with pytest.raises(InvalidArgumentError) as refused:
        client.call(client.stub.SavePlot, pb.SavePlotRequest(name=unique("p"), spec_json=spec))
    assert "levels" not in str(refused.value)
