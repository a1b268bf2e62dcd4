"""The artifact RPCs: uploads in parts, downloads by part, and the runs' references.

Bodies are thin: the store (store/blobs.py) checks parts, hashes and references; here
is what only the server knows, its size limit, and the conversion to messages.
"""

# ruff: noqa: N802 - RPC methods carry the names the generated base class gives them

from __future__ import annotations

from concurrent.futures import Executor

from streamvis import wire_extras
from streamvis.model.errors import PermissionDeniedError
from streamvis.model.limits import BLOB_PART_BYTES
from streamvis.service import calls
from streamvis.service.calls import blocking
from streamvis.store.base import Store
from streamvis.v1 import service_pb2 as pb


class ArtifactRpcs:
    """BeginUpload, PutBlobPart, FinishUpload, GetBlobPart, SaveArtifact, ListArtifacts."""

    store: Store
    executor: Executor
    max_artifact_bytes: int
    read_only: bool

    @blocking
    def BeginUpload(self, request: pb.BeginUploadRequest) -> pb.BeginUploadResponse:
        status = self.store.begin_blob(request.sha256, request.size, self.max_artifact_bytes)
        return pb.BeginUploadResponse(
            complete=status.complete, have_parts=status.have_parts,
            part_size=BLOB_PART_BYTES, part_count=status.part_count,
        )

    @blocking
    def PutBlobPart(self, request: pb.PutBlobPartRequest) -> pb.PutBlobPartResponse:
        self.store.put_blob_part(request.sha256, request.part, request.data)
        return pb.PutBlobPartResponse()

    @blocking
    def FinishUpload(self, request: pb.FinishUploadRequest) -> pb.BeginUploadResponse:
        status = self.store.finish_blob(request.sha256)
        return pb.BeginUploadResponse(
            complete=status.complete, part_size=BLOB_PART_BYTES, part_count=status.part_count,
        )

    @blocking
    def GetBlobPart(self, request: pb.GetBlobPartRequest) -> pb.GetBlobPartResponse:
        data = self.store.read_blob_part(request.sha256, request.part)
        status = self.store.blob_status(request.sha256)
        return pb.GetBlobPartResponse(data=data, size=status.size, part_count=status.part_count)

    @blocking
    def SaveArtifact(self, request: pb.SaveArtifactRequest) -> pb.Artifact:
        run = calls.handle(request.run)
        self.store.get_run(run)  # NOT_FOUND before the (long) hash check
        self.store.finish_blob(request.sha256)
        step = request.step if request.HasField("step") else None
        if self.read_only and any(
            a.name == request.name and a.step == step for a in self.store.list_artifacts(run)
        ):
            # Like an attribute: a read-only server adds artifacts but replaces none.
            raise PermissionDeniedError(
                f"this server is read-only: run {run} has an artifact {request.name!r} at "
                f"that step already, and it is not replaced; save it under another name"
            )
        return wire_extras.artifact_to_pb(self.store.save_artifact(
            run, request.name, request.sha256, step, request.media_type,
        ))

    @blocking
    def ListArtifacts(self, request: pb.ListArtifactsRequest) -> pb.ListArtifactsResponse:
        artifacts = self.store.list_artifacts(calls.handle(request.run))
        return pb.ListArtifactsResponse(
            artifacts=[wire_extras.artifact_to_pb(a) for a in artifacts],
        )
