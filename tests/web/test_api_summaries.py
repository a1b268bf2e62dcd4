"""`GET /api/summaries` on both stores: what store/metric_summaries.py computes, as
JSON (NaN as null), for named runs or a filter; bad requests refused with a message."""

from __future__ import annotations

import json
import math

from streamvis.store import Store

from .helpers import SQLITE_ONLY, append_train


def test_named_runs_get_rows_last_min_max(http, store: Store, schema):  # noqa: ARG001
    a = store.create_run(tags=["x"]).handle
    b = store.create_run().handle
    append_train(store, a, [0, 1, 2], [3.0, 1.0, 2.0])
    append_train(store, b, [0, 1], [math.nan, 5.0])
    response = http.get("/api/summaries", params={"runs": f"{a},{str(b)[:8]}"})
    assert response.status_code == 200, response.text
    got = {r["run"]: r for r in response.json()}
    assert got[str(a)] == {"run": str(a), "series": "train", "rows": 3, "fields": {
        "step": {"last": 2, "min": 0, "max": 2}, "loss": {"last": 2.0, "min": 1.0, "max": 3.0}}}
    assert got[str(b)]["fields"]["loss"] == {"last": 5.0, "min": 5.0, "max": 5.0}
    only = http.get("/api/summaries", params={
        "filter": json.dumps({"tags_any": ["x"]}), "series": "train", "fields": "loss"}).json()
    assert [(r["run"], list(r["fields"])) for r in only] == [(str(a), ["loss"])]


@SQLITE_ONLY
def test_bad_requests_are_named(http, store: Store, schema):  # noqa: ARG001
    cases = [
        ({"series": "nope"}, 404, "no series named 'nope'"),
        ({"runs": "zz"}, 400, ""),
        ({"runs": "", "colour": "red"}, 400, "unknown query parameter 'colour'"),
        ({"runs": "a", "filter": "{}"}, 400, "not both"),
    ]
    for params, status, says in cases:
        response = http.get("/api/summaries", params=params)
        assert response.status_code in (status, 404), (params, response.text)
        assert says in response.json()["message"]
