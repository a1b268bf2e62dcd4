"""Dashboards over HTTP, pushed live; and plot specs refused for a binding their field's
type cannot take."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from streamvis.web.http import WebConfig

from .helpers import SQLITE_ONLY, error

BOARD = {"name": "overview", "layout": "rows=loss,acc;lr&height=2,1",
         "plots": ["loss", "acc", "lr"]}


def test_save_list_get_delete(http):
    assert http.get("/api/dashboards").json() == []
    assert http.put("/api/dashboards/overview", json=BOARD).json() == BOARD
    http.put("/api/dashboards/alpha", json={"layout": "cols=loss"})
    assert [d["name"] for d in http.get("/api/dashboards").json()] == ["alpha", "overview"]
    assert http.get("/api/dashboards/overview").json() == BOARD
    assert http.delete("/api/dashboards/overview").json() == BOARD
    assert "no dashboard named 'overview'" in error(http.get("/api/dashboards/overview"), 404)
    bad = {"layout": "loss"}
    assert "rows= or cols=" in error(http.put("/api/dashboards/alpha", json=bad), 400)
    assert http.get("/api/dashboards/alpha").json()["layout"] == "cols=loss"


def test_saving_and_deleting_are_pushed_live(http, web):
    with connect(f"ws://127.0.0.1:{web.port}/api/events", open_timeout=10) as ws:
        http.put("/api/dashboards/overview", json=BOARD)
        assert json.loads(ws.recv(timeout=10)) == {"type": "dashboard_changed",
                                                   "name": "overview", "deleted": False}
        # A refused dashboard sends nothing: the next message is the deletion's.
        assert http.put("/api/dashboards/overview", json={"layout": "x"}).status_code == 400
        http.delete("/api/dashboards/overview")
        assert json.loads(ws.recv(timeout=10)) == {"type": "dashboard_changed",
                                                   "name": "overview", "deleted": True}


@SQLITE_ONLY
@pytest.mark.parametrize("web_config", [WebConfig(read_only=True)])
def test_read_only_refuses_changes(http):
    assert "read-only" in error(http.put("/api/dashboards/overview", json=BOARD), 403)
    assert http.get("/api/dashboards").json() == []


def _spec(**bindings):
    return {"kind": "line", "datasets": [{"series": "train",
                                          "bindings": {"x": "step", "y": "loss", **bindings}}]}


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
@pytest.mark.parametrize(("bindings", "fragment"), [
    ({"y": "optimizer"}, "bindings.y: y takes float or int fields; 'optimizer' is string"),
    ({"group": "lr"}, "group takes bool or int or string fields; 'lr' is float"),
    ({"facet": "loss"}, "facet takes bool or int or string fields"),
    ({"size": "good"}, "size takes float or int fields; 'good' is bool"),
    ({"x": "run"}, "x cannot be the run"),
])
def test_a_binding_the_type_cannot_take_is_refused(http, bindings, fragment):
    assert fragment in error(http.put("/api/plots/p", json=_spec(**bindings)), 400)
    assert http.get("/api/plots").json() == []


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
def test_facets_frames_and_a_second_axis_are_kept(http):
    spec = {**_spec(facet="optimizer", frame="step", color="run"),
            "facet": {"columns": 3}, "frame": {"value": "latest"}}
    spec["datasets"].append({"series": "layers", "bindings": {"x": "step", "y": "loss"},
                             "axes": {"x": "x", "y": "y2"}})
    assert http.put("/api/plots/p", json=spec).json() == {**spec, "name": "p"}
    for bad, fragment in (({"facet": {"columns": 0}}, "facet.columns"),
                          ({"frame": {"value": "first"}}, "frame.value"),
                          ({"scales": {"z": "log"}}, "scales.z"),
                          ({"datasets": [{"series": "train", "bindings": {"x": "step"}}]},
                           "needs a field bound to y")):
        assert fragment in error(http.put("/api/plots/q", json={**spec, **bad}), 400)
