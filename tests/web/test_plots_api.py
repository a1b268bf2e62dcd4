"""Plot specs over HTTP: save, read, list, delete, checked; changes pushed live."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from .helpers import SQLITE_ONLY, error

SPEC = {"name": "loss", "kind": "line", "title": "training loss",
        "datasets": [{"series": "train", "filter": {"tags_any": ["baseline"]},
                      "bindings": {"x": "step", "y": "loss", "group": "run", "color": "lr"},
                      "attributes": ["lr"], "axes": {"x": "x", "y": "y2"}}],
        "scales": {"x": "lin", "y": "log"}, "palette": "viridis",
        "layout": {"legend": "right"}}


def test_save_read_list_and_delete_with_live_events(http, web):
    url = f"ws://127.0.0.1:{web.port}/api/events"
    with connect(url, open_timeout=10) as ws:
        assert http.get("/api/plots").json() == []
        assert http.put("/api/plots/loss", json=SPEC).json() == SPEC
        assert json.loads(ws.recv(timeout=10)) == {"type": "plot_changed", "name": "loss",
                                                   "deleted": False}
        assert http.get("/api/plots/loss").json() == SPEC  # unknown keys are kept
        # The name may be left out of the body: the path gives it.
        body = {k: v for k, v in SPEC.items() if k != "name"}
        assert http.put("/api/plots/acc", json={**body, "kind": "scatter"}).json()["name"] == "acc"
        json.loads(ws.recv(timeout=10))
        assert [p["name"] for p in http.get("/api/plots").json()] == ["acc", "loss"]
        assert http.delete("/api/plots/loss").json() == SPEC
        assert json.loads(ws.recv(timeout=10)) == {"type": "plot_changed", "name": "loss",
                                                   "deleted": True}
        assert "no plot named 'loss'" in error(http.get("/api/plots/loss"), 404)
        assert "no plot named 'loss'" in error(http.delete("/api/plots/loss"), 404)


@SQLITE_ONLY
@pytest.mark.parametrize(("spec", "fragment"), [
    ({**SPEC, "name": "other"}, "named 'other' but was sent to be saved as 'loss'"),
    ({**SPEC, "kind": "pie"}, "plot kind 'pie'"),
    ({**SPEC, "datasets": []}, '"datasets"'),
    ({**SPEC, "datasets": [{"bindings": {}}]}, 'datasets[0] needs "series"'),
    ({**SPEC, "datasets": [{"series": "s", "bindings": {"hue": "x"}}]}, "unknown role 'hue'"),
    ({**SPEC, "datasets": [{"series": "s", "bindings": {"x": 1}}]}, "bindings.x"),
    ({**SPEC, "datasets": [{"series": "s", "axes": {"y": "y3"}}]}, "axes.y"),
    ({**SPEC, "datasets": [{"series": "s", "filter": {"tags": []}}]}, "unknown key(s) 'tags'"),
    ({**SPEC, "scales": {"y": "sqrt"}}, "scales.y"),
    ({**SPEC, "y_range": "tight"}, "y_range = 'tight': use one of 'auto', 'robust', 'full'"),
    ([1, 2], "must be a JSON object"),
])
def test_bad_specs_are_400_and_change_nothing(http, spec, fragment):
    assert fragment in error(http.put("/api/plots/loss", json=spec), 400)
    assert http.get("/api/plots").json() == []


@SQLITE_ONLY
def test_oversized_specs_and_bad_names(http):
    big = {**SPEC, "notes": "x" * 70_000}
    assert "at most" in error(http.put("/api/plots/loss", json=big), 413)
    assert "control character" in error(http.put("/api/plots/a%0Ab", json=SPEC), 400)
