"""The client's calls for things beside the data: saved plots and dashboards,
artifacts (blobs sent in parts) and run controls.

`Client` (client.py) takes these from `ExtraCalls`, so that the data and run catalog
calls and these each stay one module; `streamvis.client.Client` is the public class.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from streamvis import wire
from streamvis.model.schema import RunFilter
from streamvis.v1 import service_pb2 as pb

if TYPE_CHECKING:
    from streamvis.model.artifacts import Artifact, BlobStatus
    from streamvis.model.controls import Control, ControlSpec
    from streamvis.model.run_summaries import SeriesSummary
    from streamvis.v1 import service_pb2_grpc as pb_grpc

T = TypeVar("T")


# The plot spec checks (the plot grammar) load in the calls that send or read a spec,
# and artifacts, summaries and controls (wire_extras) in theirs, not in a client that
# only lists runs (tests/cli/test_startup.py): each of their dataclasses costs about a
# millisecond to make (decision 0013).


def _spec(plot: pb.Plot) -> dict[str, Any]:
    from streamvis.checks.json_checks import expect_object  # noqa: PLC0415 - see above
    from streamvis.checks.plot_specs import spec_from_json  # noqa: PLC0415

    return expect_object(spec_from_json(plot.spec_json, plot.name), f"plot {plot.name!r}")


def _spec_json(spec: Mapping[str, Any], name: str, what: str = "plot spec") -> str:
    from streamvis.checks.plot_specs import spec_json  # noqa: PLC0415 - see _spec

    return spec_json(spec, name, what)


def _board(board: pb.Dashboard) -> dict[str, Any]:
    from streamvis.checks.json_checks import expect_object  # noqa: PLC0415 - see _spec
    from streamvis.checks.plot_specs import spec_from_json  # noqa: PLC0415

    text = spec_from_json(board.spec_json, board.name, "dashboard")
    return expect_object(text, f"dashboard {board.name!r}")


class ExtraCalls:
    """Plot, dashboard, artifact and control calls; mixed into `Client`, whose channel
    (`stub`) and error-translating `call` they use."""

    if TYPE_CHECKING:
        stub: pb_grpc.ServiceStub

        def call(self, method: Callable[..., T], request: object,
                 timeout: float | None = None) -> T: ...

    # -- plots ----------------------------------------------------------------

    def save_plot(self, name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace the plot `name` (docs/plots.md); the spec as stored."""
        req = pb.SavePlotRequest(name=name, spec_json=_spec_json(spec, name))
        return _spec(self.call(self.stub.SavePlot, req))

    def plot(self, name: str) -> dict[str, Any]:
        return _spec(self.call(self.stub.GetPlot, pb.GetPlotRequest(name=name)))

    def plots(self) -> list[dict[str, Any]]:
        return [_spec(p) for p in self.call(self.stub.ListPlots, pb.ListPlotsRequest()).plots]

    def delete_plot(self, name: str) -> dict[str, Any]:
        """Delete the plot `name`; the spec it had."""
        return _spec(self.call(self.stub.DeletePlot, pb.DeletePlotRequest(name=name)))

    # -- dashboards -------------------------------------------------------------

    def save_dashboard(self, name: str, dashboard: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace the dashboard `name`: `{"layout": "rows=A,B;C", "plots":
        [names], ...}` (docs/plots.md); the dashboard as stored."""
        req = pb.SaveDashboardRequest(
            name=name, spec_json=_spec_json(dashboard, name, "dashboard")
        )
        return _board(self.call(self.stub.SaveDashboard, req))

    def dashboard(self, name: str) -> dict[str, Any]:
        return _board(self.call(self.stub.GetDashboard, pb.GetDashboardRequest(name=name)))

    def dashboards(self) -> list[dict[str, Any]]:
        resp = self.call(self.stub.ListDashboards, pb.ListDashboardsRequest())
        return [_board(d) for d in resp.dashboards]

    def delete_dashboard(self, name: str) -> dict[str, Any]:
        """Delete the dashboard `name`; what it was."""
        req = pb.DeleteDashboardRequest(name=name)
        return _board(self.call(self.stub.DeleteDashboard, req))

    # -- artifacts (transfer.py sends and fetches whole files) -------------------

    def begin_upload(self, sha256: str, size: int) -> BlobStatus:
        """What the server has of the blob: complete, or which parts (BLOB_PART_BYTES)."""
        from streamvis.model.artifacts import BlobStatus  # noqa: PLC0415 - see the top

        reply = self.call(self.stub.BeginUpload, pb.BeginUploadRequest(sha256=sha256, size=size))
        return BlobStatus(sha256, size, reply.complete, tuple(reply.have_parts))

    def put_blob_part(self, sha256: str, part: int, data: bytes) -> None:
        req = pb.PutBlobPartRequest(sha256=sha256, part=part, data=data)
        self.call(self.stub.PutBlobPart, req)

    def finish_upload(self, sha256: str) -> BlobStatus:
        """Have the server check the blob's parts and mark it whole (media values)."""
        from streamvis.model.artifacts import BlobStatus  # noqa: PLC0415 - see the top

        reply = self.call(self.stub.FinishUpload, pb.FinishUploadRequest(sha256=sha256))
        return BlobStatus(sha256, 0, reply.complete, ())

    def get_blob_part(self, sha256: str, part: int) -> tuple[bytes, int]:
        """One part of a complete blob, and the blob's size."""
        reply = self.call(self.stub.GetBlobPart, pb.GetBlobPartRequest(sha256=sha256, part=part))
        return reply.data, reply.size

    def save_artifact(
        self, run: uuid.UUID | str, name: str, sha256: str, step: int | None = None,
        media_type: str = "",
    ) -> Artifact:
        """Save the uploaded blob `sha256` as the run's artifact `name` at `step`."""
        from streamvis import wire_extras  # noqa: PLC0415 - see the top

        req = pb.SaveArtifactRequest(
            run=str(run), name=name, step=step, sha256=sha256, media_type=media_type,
        )
        return wire_extras.artifact_from_pb(self.call(self.stub.SaveArtifact, req))

    def artifacts(self, run: uuid.UUID | str) -> list[Artifact]:
        from streamvis import wire_extras  # noqa: PLC0415 - see the top

        reply = self.call(self.stub.ListArtifacts, pb.ListArtifactsRequest(run=str(run)))
        return [wire_extras.artifact_from_pb(a) for a in reply.artifacts]

    # -- summaries --------------------------------------------------------------

    def summaries(self, run_filter: RunFilter, series: Sequence[str] = (),
                  fields: Sequence[str] = ()) -> list[SeriesSummary]:
        """Per run and series, the rows and last/min/max of each numeric field."""
        from streamvis import wire_extras  # noqa: PLC0415 - see the top

        req = pb.SummariesRequest(filter=wire.filter_to_pb(run_filter), series=list(series),
                                  fields=list(fields))
        reply = self.call(self.stub.GetSummaries, req)
        return [wire_extras.summary_from_pb(s) for s in reply.summaries]

    # -- controls ---------------------------------------------------------------

    def declare_controls(self, run: uuid.UUID | str, specs: Sequence[ControlSpec],
                         timeout: float | None = None) -> list[Control]:
        from streamvis import wire_extras  # noqa: PLC0415 - see the top

        req = pb.DeclareControlsRequest(
            run=str(run), controls=[wire_extras.control_spec_to_pb(s) for s in specs],
        )
        reply = self.call(self.stub.DeclareControls, req, timeout)
        return [wire_extras.control_from_pb(c) for c in reply.controls]

    def controls(self, run: uuid.UUID | str, timeout: float | None = None) -> list[Control]:
        from streamvis import wire_extras  # noqa: PLC0415 - see the top

        reply = self.call(self.stub.GetControls, pb.GetControlsRequest(run=str(run)), timeout)
        return [wire_extras.control_from_pb(c) for c in reply.controls]

    def set_control(self, run: uuid.UUID | str, name: str, value: object = None) -> Control:
        """Set a control (a button: press it)."""
        from streamvis import wire_extras  # noqa: PLC0415 - see the top

        req = pb.SetControlRequest(run=str(run), name=name, value_json=json.dumps(value))
        return wire_extras.control_from_pb(self.call(self.stub.SetControl, req))
