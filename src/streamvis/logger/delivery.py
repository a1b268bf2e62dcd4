"""Sending one record to the server, and telling a passing failure from a final one.

Both the flusher and `sync_spool` send through `send_record`, so a spooled record is
sent the same way whichever process sends it. Every record kind is safe to resend:
appends carry an idempotency key, a CreateRun of our own (client-generated) handle that
meets ALREADY_EXISTS has already succeeded, tags and attributes are idempotent, and a
ReplaceRun is only ever resent before any append after it was acknowledged (records go
strictly in order).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping

import numpy as np

from streamvis import wire
from streamvis.client import Client
from streamvis.declare import apply_declaration, parse_declaration
from streamvis.logger.batching import Kind, Record
from streamvis.model.errors import (
    AlreadyExistsError,
    PermissionDeniedError,
    StreamvisError,
    UnauthenticatedError,
    UnavailableError,
)
from streamvis.model.schema import FieldType
from streamvis.v1 import service_pb2 as pb


def is_transient(exc: StreamvisError) -> bool:
    """Whether resending later may succeed: the server is away or failed internally.

    Everything else (bad argument, unknown series, conflict...) is the request's own
    fault, and resending it would block the queue forever.
    """
    return isinstance(exc, UnavailableError) or type(exc) is StreamvisError


def is_access_refused(exc: StreamvisError) -> bool:
    """Whether the server refuses this client, not this record: no or a wrong token, or
    a server that takes no logged data. Every record would be refused alike, so they are
    kept in the spool (for a later retry or `streamvis sync --token`), never dropped.
    """
    return isinstance(exc, UnauthenticatedError | PermissionDeniedError)


def conform(request: pb.AppendToSeriesRequest, types: Mapping[str, FieldType]) -> None:
    """Widen int columns of fields that travel as floats: a provisional batch guessed int
    from `step=1`."""
    for col in request.columns:
        t = types.get(col.field)
        if t is not None and t.row.wire_column == "floats" and col.WhichOneof("data") == "ints":
            ints = np.frombuffer(col.ints, dtype="<i8")
            col.floats = ints.astype("<f8").tobytes()


def send_record(
    client: Client, record: Record, timeout: float,
    types: Mapping[str, FieldType] | None = None,
) -> None:
    """Send one record; raise StreamvisError (see `is_transient`) when it fails."""
    stub = client.stub
    msg = record.message
    match record.kind:
        case Kind.APPEND:
            if record.provisional and types is not None:
                conform(msg, types)
            client.append_request(msg, timeout)
        case Kind.CREATE_RUN:
            # Our handle is a fresh uuid4, so ALREADY_EXISTS means a resend of our own
            # CreateRun whose acknowledgement was lost: it succeeded.
            with contextlib.suppress(AlreadyExistsError):
                client.call(stub.CreateRun, msg, timeout)
        case Kind.REPLACE_RUN:
            client.call(stub.ReplaceRun, msg, timeout)
        case Kind.SET_ATTRIBUTES:
            client.call(stub.SetRunAttributes, msg, timeout)
        case Kind.ADD_TAG:
            client.call(stub.AddRunTag, msg, timeout)
        case Kind.DECLARE:
            apply_declaration(client, parse_declaration(json.loads(msg), "logger.declare"))


def fetch_types(client: Client, timeout: float) -> dict[str, FieldType]:
    """Field name -> type, as the server has them now."""
    resp = client.call(client.stub.ListFields, pb.ListFieldsRequest(), timeout)
    return {f.name: wire.field_type_from_pb(f.type, f.type_name) for f in resp.fields}
