"""The control RPCs: a program declares and polls its run's controls; the UI sets them.
And GetSummaries: the summary values of runs' metrics (store/metric_summaries.py)."""

# ruff: noqa: N802 - RPC methods carry the names the generated base class gives them

from __future__ import annotations

from concurrent.futures import Executor

from streamvis import wire, wire_extras
from streamvis.service import calls
from streamvis.service.calls import blocking
from streamvis.store.base import Store
from streamvis.store.metric_summaries import summarize
from streamvis.v1 import service_pb2 as pb


class ControlRpcs:
    """DeclareControls, GetControls, SetControl; GetSummaries."""

    store: Store
    executor: Executor

    @blocking
    def GetSummaries(self, request: pb.SummariesRequest) -> pb.SummariesResponse:
        # Here beside the controls, not in servicer.py, which is at its size.
        found = summarize(self.store, wire.filter_from_pb(request.filter),
                          calls.names("series", request.series),
                          calls.names("field", request.fields))
        return pb.SummariesResponse(summaries=[wire_extras.summary_to_pb(s) for s in found])

    @blocking
    def DeclareControls(self, request: pb.DeclareControlsRequest) -> pb.ControlsResponse:
        run = calls.handle(request.run)
        specs = [wire_extras.control_spec_from_pb(c) for c in request.controls]
        calls.names("control", [s.name for s in specs])  # each once
        controls = self.store.declare_controls(run, specs)
        return pb.ControlsResponse(controls=[wire_extras.control_to_pb(c) for c in controls])

    @blocking
    def GetControls(self, request: pb.GetControlsRequest) -> pb.ControlsResponse:
        controls = self.store.list_controls(calls.handle(request.run))
        return pb.ControlsResponse(controls=[wire_extras.control_to_pb(c) for c in controls])

    @blocking
    def SetControl(self, request: pb.SetControlRequest) -> pb.Control:
        value = wire_extras.json_value(request.value_json, f"control {request.name!r}")
        control = self.store.set_control(calls.handle(request.run), request.name, value)
        return wire_extras.control_to_pb(control)
