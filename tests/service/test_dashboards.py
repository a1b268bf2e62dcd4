"""The dashboard RPCs (SaveDashboard, GetDashboard, ListDashboards, DeleteDashboard)
through a real server, on each store: the same rules as the HTTP API, DashboardChanged
on Watch and on the web app's WebSocket, and bad input that changes nothing."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.model import events as ev
from streamvis.model.errors import InvalidArgumentError, NotFoundError, ResourceExhaustedError
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb


def board(*plots: str, **extra: object) -> dict[str, object]:
    return {"layout": f"rows={','.join(plots)}&height=2", "plots": list(plots), **extra}


def names(client: Client) -> list[str]:
    return [str(d["name"]) for d in client.dashboards()]


def test_dashboards_are_saved_read_listed_replaced_and_deleted(client: Client, unique):
    name = unique("overview")
    saved = client.save_dashboard(name, board("loss", "acc", title="training", note=[1, 2]))
    assert saved == {**board("loss", "acc", title="training", note=[1, 2]), "name": name}
    assert client.dashboard(name) == saved
    assert saved in client.dashboards()
    assert names(client) == sorted(names(client))
    # The plots need not be saved yet; without "plots" the list is empty.
    bare = client.save_dashboard(unique("bare"), {"layout": "cols=a;b"})
    assert bare["plots"] == []

    replaced = client.save_dashboard(name, {**saved, "layout": "cols=loss;acc"})
    assert client.dashboard(name)["layout"] == "cols=loss;acc" == replaced["layout"]
    assert names(client).count(name) == 1

    assert client.delete_dashboard(name) == replaced
    assert name not in names(client)
    with pytest.raises(NotFoundError, match=f"no dashboard named {name!r}"):
        client.dashboard(name)
    with pytest.raises(NotFoundError, match=f"no dashboard named {name!r}"):
        client.delete_dashboard(name)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"layout": "loss,acc"}, "starting with rows= or cols="),
        ({"layout": None}, 'needs "layout"'),
        ({"plots": "loss"}, '"plots" must be an array of plot names'),
        ({"plots": ["loss", ""]}, '"plots" must be an array of plot names'),
        ({"name": "other"}, "named 'other' but is saved as"),
    ],
)
def test_bad_dashboards_are_refused_and_change_nothing(client: Client, unique, change,
                                                       problem):
    name = unique("bad")
    with pytest.raises(InvalidArgumentError, match=problem):
        client.save_dashboard(name, {**board("loss"), **change})
    assert name not in names(client)


def test_an_oversized_dashboard_is_refused_as_a_resource_limit(client: Client, unique):
    name = unique("big")
    with pytest.raises(ResourceExhaustedError, match="at most 65536 are stored"):
        client.save_dashboard(name, {**board("loss"), "notes": "x" * 70_000})
    assert name not in names(client)


def test_bad_names_and_raw_json_are_refused(client: Client, unique):
    before = client.dashboards()
    for bad, problem in (("", "dashboard name is empty"), ("a\nb", "control character"),
                         ("x" * 200, "at most")):
        with pytest.raises(InvalidArgumentError, match=problem):
            client.save_dashboard(bad, board("loss"))
        with pytest.raises(InvalidArgumentError, match=problem):
            client.dashboard(bad)
        with pytest.raises(InvalidArgumentError, match=problem):
            client.delete_dashboard(bad)
    save = client.stub.SaveDashboard
    with pytest.raises(InvalidArgumentError, match=r"dashboard .* is not valid JSON"):
        client.call(save, pb.SaveDashboardRequest(name=unique("j"), spec_json="{"))
    with pytest.raises(InvalidArgumentError, match="must be a JSON object"):
        client.call(save, pb.SaveDashboardRequest(name=unique("j"), spec_json="[]"))
    with pytest.raises(InvalidArgumentError, match="cannot be stored as JSON"):
        client.call(save, pb.SaveDashboardRequest(
            name=unique("j"), spec_json='{"layout": "rows=a", "x": NaN}'))
    assert client.dashboards() == before


def test_saving_and_deleting_send_dashboard_changed(client: Client, unique, watch):
    stream = watch(client)
    name = unique("watched")
    client.save_dashboard(name, board("loss"))
    with pytest.raises(InvalidArgumentError):
        client.save_dashboard(name, {"layout": "nope"})  # refused: no event
    client.delete_dashboard(name)
    events = [e for e in stream.take(2) if isinstance(e, ev.DashboardChanged)]
    assert events == [ev.DashboardChanged(name, deleted=False),
                      ev.DashboardChanged(name, deleted=True)]
    assert stream.quiet()


def test_dashboards_saved_over_grpc_reach_http_and_the_websocket(
    server: ServerProcess, client: Client, unique
):
    name = unique("both")
    ws_url = server.web_url.replace("http://", "ws://") + "api/events"
    with connect(ws_url, open_timeout=10) as ws, \
            httpx.Client(base_url=server.web_url, timeout=10) as http:
        client.save_dashboard(name, board("loss"))
        assert json.loads(ws.recv(timeout=10)) == {"type": "dashboard_changed", "name": name,
                                                   "deleted": False}
        assert http.get(f"api/dashboards/{name}").json() == client.dashboard(name)
        put = http.put(f"api/dashboards/{name}", json=board("loss", title="from http"))
        assert put.status_code == 200
        assert json.loads(ws.recv(timeout=10))["type"] == "dashboard_changed"
        assert client.dashboard(name)["title"] == "from http"
        client.delete_dashboard(name)
        assert json.loads(ws.recv(timeout=10)) == {"type": "dashboard_changed", "name": name,
                                                   "deleted": True}
        assert http.get(f"api/dashboards/{name}").status_code == 404
