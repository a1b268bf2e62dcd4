"""A field type added at run time through the type registry only is accepted and served.

The test registers a throwaway `timestamp` type (the `timestamp_type` fixture: int64 on
the wire and in storage, numeric) and nothing else: the gRPC service, the store, the
logger, the web app, the data API and the `--where` grammar must all take it from its row.
"""

from __future__ import annotations

import httpx
import numpy as np
import pyarrow as pa
import pytest

import streamvis
from streamvis import DataLogger
from streamvis.checks.filter_text import parse_condition
from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import AttributeCondition, FieldType
from streamvis.service.servicer import Servicer
from streamvis.store import open_store
from streamvis.v1 import service_pb2 as pb
from streamvis.web.serving import ThreadedWebServer

NOW = 1_764_700_000_000_000_000  # nanoseconds since the epoch


def test_a_registered_type_is_accepted_and_served(
    timestamp_type: FieldType, tmp_path, serving
) -> None:
    timestamp = timestamp_type
    with open_store(str(tmp_path)) as store, \
            serving(store, Servicer(store)) as (uri, _), Client(uri) as client, \
            ThreadedWebServer(store) as web, httpx.Client(base_url=web.url, timeout=30) as http:
        # Declared by name over gRPC (type_name: the proto's enum has no such member).
        when = client.create_field("when", "timestamp", "time of the event")
        assert when.type is timestamp
        client.create_field("v", "float")
        client.create_field("started", "timestamp")
        client.create_series("events", ["when", "v"])
        assert {f.name: f.type for f in client.fields()}["when"] is timestamp

        # The logger checks writes by the row: ints and int arrays go, floats do not.
        with DataLogger(uri, attributes={"started": NOW}, strict=True) as logger:
            logger.write("events", when=NOW, v=0.5)
            logger.write("events", when=np.arange(NOW + 1, NOW + 4), v=np.ones(3))
            with pytest.raises(InvalidArgumentError, match="field 'when' is timestamp"):
                logger.write("events", when=1.5, v=1.0)
            with pytest.raises(InvalidArgumentError, match="does not fit in 64 bits"):
                logger.write("events", when=2**64, v=1.0)
        run = logger.run_handle
        expected = [NOW, NOW + 1, NOW + 2, NOW + 3]

        # The data API (QueryRunData) gives the column back as int64; the attribute
        # filters by range, as a numeric type's do.
        with streamvis.connect(uri) as sv:
            runs = sv.runs(attributes={"started": (NOW - 1, NOW + 1)})
            assert [r.handle for r in runs] == [run]
            assert sv.runs(attributes={"started": (NOW + 1, None)}) == []
            got = sv.fetch("events", fields=["when", "v"], runs=runs)
        assert got.schema.field("when").type == pa.int64()
        assert got.column("when").to_pylist() == expected

        # The web app: the type in /api/info, the field in /api/fields, the data of a
        # plot with the timestamp on x (a numeric role) in /api/data.
        info = http.get("/api/info").json()
        assert {"name": "timestamp", "description": "nanoseconds since the epoch",
                "traits": ["numeric"], "value": "number", "continuous": True, "media": "",
                "options": []} in info["types"]
        fields = {f["name"]: f["type"] for f in http.get("/api/fields").json()}
        assert fields["when"] == "timestamp"
        reply = http.post("/api/data", json={
            "series": "events", "fields": ["when", "v"], "attributes": ["started"],
            "kind": "line", "x": "when", "y": "v",
            "filter": {"attributes": [{"field": "started", "min": NOW, "max": NOW}]},
        })
        assert reply.status_code == 200, reply.text
        table = pa.ipc.open_stream(reply.content).read_all()
        assert table.column("when").to_pylist() == expected
        assert table.column("started").to_pylist() == [NOW] * 4
        latest = http.post("/api/data", json={
            "series": "events", "fields": ["when"], "where": [{"field": "when", "latest": True}],
        })
        assert pa.ipc.open_stream(latest.content).read_all().column("when").to_pylist() == [
            NOW + 3
        ]
        # A role that needs a discrete type refuses it, naming the types that fit.
        refused = http.post("/api/data", json={
            "series": "events", "fields": ["v"], "kind": "line", "x": "v", "y": "v",
            "group": ["when"],
        })
        assert refused.status_code == 400
        assert "group field 'when' is timestamp; group takes bool or int or string fields" in (
            refused.json()["message"])

        # A saved plot may bind it to a numeric role, not to a discrete one.
        plot = {"name": "events", "kind": "line",
                "datasets": [{"series": "events", "bindings": {"x": "when", "y": "v"}}]}
        assert http.put("/api/plots/events", json=plot).status_code == 200
        plot["datasets"][0]["bindings"]["facet"] = "when"  # type: ignore[index]
        refused = http.put("/api/plots/events", json=plot)
        assert refused.status_code == 400
        assert "facet takes bool or int or string fields; 'when' is timestamp" in (
            refused.json()["message"])

        # `--where` reads its text by the row, with ranges as for any numeric type.
        by_name = {f.name: f for f in client.fields()}
        assert parse_condition(f"started={NOW}..", by_name) == AttributeCondition(
            "started", min=NOW)


def test_an_unregistered_type_is_refused_by_name(tmp_path, serving) -> None:
    with open_store(str(tmp_path)) as store, \
            serving(store, Servicer(store)) as (uri, _), Client(uri) as client:
        with pytest.raises(InvalidArgumentError, match="unknown field type 'timestamp'"):
            client.call(client.stub.CreateField,
                        pb.CreateFieldRequest(name="when", type_name="timestamp"))
        assert client.fields() == []

