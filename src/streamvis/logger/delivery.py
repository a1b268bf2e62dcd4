"""Sending one record to the server, split into pieces the server takes.

What a refusal means is decided in refusals.py alone. Both the flusher and
`sync_spool` send through `send_record`, so a spooled record is sent the same way
whichever process sends it. Every record kind is safe to resend:
appends carry an idempotency key, a CreateRun of our own (client-generated) handle that
meets ALREADY_EXISTS has already succeeded, tags and attributes are idempotent, and a
ReplaceRun is only ever resent before any append after it was acknowledged (records go
strictly in order).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow.compute as pc

from streamvis import wire, wire_columns
from streamvis.client import Client
from streamvis.declare import apply_declaration, parse_declaration
from streamvis.logger.artifacts import send_artifact
from streamvis.logger.batching import Kind, Record
from streamvis.logger.media_send import send_media
from streamvis.logger.refusals import Action, classify, request_limit
from streamvis.model.errors import AlreadyExistsError, StreamvisError
from streamvis.model.schema import FieldType
from streamvis.v1 import service_pb2 as pb


def is_transient(exc: StreamvisError) -> bool:
    """Whether the record should wait and be resent: see refusals.py."""
    return classify(exc) is Action.RETRY


def is_access_refused(exc: StreamvisError) -> bool:
    """Whether the server refuses this client, not this record: see refusals.py."""
    return classify(exc) is Action.ACCESS


@dataclass(slots=True)
class Delivery:
    """What became of the rows a logger was given (or a sync sent).

    In rows: `delivered` were acknowledged by the server; `spooled` wait in the spool
    for `streamvis sync`; `rejected` were refused for good and are kept in the spool's
    `rejected/` with the reason; `unsaved` could be neither sent nor spooled (the
    spool's disk was full at stop). In records (a run's creation, tags and attributes
    are records without rows): `sent`, `spooled_records`, `rejected_records`. True
    exactly when nothing was spooled, rejected or left unsaved.
    """

    delivered: int = 0
    spooled: int = 0
    rejected: int = 0
    unsaved: int = 0
    sent: int = 0
    spooled_records: int = 0
    rejected_records: int = 0

    def __bool__(self) -> bool:
        return not (self.spooled_records or self.rejected_records or self.unsaved)

    def describe(self) -> str:
        parts = [f"{self.delivered} row(s) delivered", f"{self.spooled} spooled",
                 f"{self.rejected} rejected"]
        return ", ".join(parts + ([f"{self.unsaved} unsaved"] if self.unsaved else []))


#: The share of the server's request limit a piece may fill: the rest is room for the
#: message's own framing, which a row count cannot predict exactly.
_FILL = 0.9


@dataclass(slots=True)
class RequestLimit:
    """The largest request the server takes, once a refusal told us (shared by the
    flusher and the batch builder, so later batches are built to fit)."""

    nbytes: int | None = None


def record_rows(record: Record) -> int:
    """Rows an append carries (0 for the other kinds)."""
    if record.kind is not Kind.APPEND:
        return 0
    if record.rows:
        return record.rows
    return _rows(record.message)


def _rows(msg: pb.AppendToSeriesRequest) -> int:
    return wire_columns.column_rows(msg.columns[0]) if msg.columns else 0


def _slice(msg: pb.AppendToSeriesRequest, start: int, end: int) -> pb.AppendToSeriesRequest:
    # The key is derived, not fresh: a piece resent after a lost acknowledgement (or the
    # whole record split again from the spool) is recognised as a duplicate.
    piece = pb.AppendToSeriesRequest(
        run=msg.run, series=msg.series, writer=msg.writer,
        idempotency_key=f"{msg.idempotency_key}.{start}-{end}",
    )
    for col in msg.columns:
        wire_columns.slice_column(col, start, end, piece.columns.add())
    return piece


def split_to_fit(record: Record, limit: int) -> list[Record]:
    """The record as pieces of at most `limit` bytes each, by rows, in order. A record
    that fits, or that is not an append, comes back whole; so does a single row over
    the limit (the server's refusal then says so)."""
    msg = record.message
    if record.kind is not Kind.APPEND or msg.ByteSize() <= limit:
        return [record]
    ranges: list[tuple[int, int]] = []
    todo = [(0, _rows(msg))]
    while todo:  # halve each range until its piece fits; ranges stay in row order
        start, end = todo.pop()
        piece = _slice(msg, start, end)
        if end - start > 1 and piece.ByteSize() > limit:
            mid = (start + end) // 2
            todo += [(mid, end), (start, mid)]
        else:
            ranges.append((start, end))
    if len(ranges) == 1:
        return [record]
    return [
        Record(Kind.APPEND, _slice(msg, start, end), record.provisional, rows=end - start)
        for start, end in ranges
    ]


def conform(request: pb.AppendToSeriesRequest, types: Mapping[str, FieldType]) -> None:
    """Widen int columns of fields that travel as floats: a provisional batch guessed int
    from `step=1`."""
    for col in request.columns:
        t = types.get(col.field)
        if t is None or t.row.wire_column != "floats":
            continue
        kind = col.WhichOneof("data")
        if kind == "ints":
            ints = np.frombuffer(col.ints, dtype="<i8")
            col.floats = ints.astype("<f8").tobytes()
        elif kind == "run_ends":  # a broadcast int, guessed int: plain floats
            ints = pc.run_end_decode(wire_columns.column_from_pb(col)).to_numpy()
            col.floats = ints.astype("<f8").tobytes()


def send_record(
    client: Client, record: Record, timeout: float,
    types: Mapping[str, FieldType] | None = None, limit: RequestLimit | None = None,
) -> None:
    """Send one record, in pieces that fit the server's request limit; raise
    StreamvisError (classified by refusals.py) when it fails.

    A refusal for size teaches `limit` the server's limit, and the record is split and
    sent again. A piece that fails leaves the whole record to be resent: the pieces
    already stored are then duplicates the server ignores.
    """
    limit = limit if limit is not None else RequestLimit()
    if record.provisional and types is not None and record.kind is Kind.APPEND:
        conform(record.message, types)
    pieces = [record] if limit.nbytes is None else split_to_fit(record, int(limit.nbytes * _FILL))
    for piece in pieces:
        try:
            _send_one(client, piece, timeout)
        except StreamvisError as exc:
            learned = request_limit(exc) if classify(exc) is Action.SPLIT else None
            if learned is None:
                raise
            limit.nbytes = learned if limit.nbytes is None else min(limit.nbytes, learned)
            parts = split_to_fit(piece, int(limit.nbytes * _FILL))
            if len(parts) == 1:
                raise
            for part in parts:
                send_record(client, part, timeout, None, limit)


def _send_one(client: Client, record: Record, timeout: float) -> None:
    stub = client.stub
    msg = record.message
    match record.kind:
        case Kind.APPEND:
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
        case Kind.DECLARE_CONTROLS:
            client.call(stub.DeclareControls, msg, timeout)
        case Kind.SAVE_ARTIFACT:
            send_artifact(client, msg)
        case Kind.PUT_MEDIA:
            send_media(client, msg)


def fetch_types(client: Client, timeout: float) -> dict[str, FieldType]:
    """Field name -> type, as the server has them now."""
    resp = client.call(client.stub.ListFields, pb.ListFieldsRequest(), timeout)
    return {f.name: wire.field_type_from_pb(f.type, f.type_name) for f in resp.fields}
