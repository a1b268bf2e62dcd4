"""Live events from a server's Watch stream, subscribed before `watch()` returns."""

from __future__ import annotations

from typing import Any, cast

import grpc

from streamvis import wire
from streamvis.client import Client, translate_error
from streamvis.model import events as ev
from streamvis.model.errors import InvalidArgumentError
from streamvis.v1 import service_pb2 as pb


class EventStream:
    """An iterator of `streamvis.model.events` objects, in commit order, until closed.

    `Client.watch` opens its call at the first `next()`; this opens it at once and
    waits for the server's headers, which it sends once it has subscribed, so a
    change made after `watch()` returns is never missed. `close()` (from any thread,
    which also ends a `next()` blocked in another) or `with` ends the stream, as
    does closing the connection; the iterator then stops.
    """

    def __init__(self, client: Client, after_sequence: int | None = None) -> None:
        request = pb.WatchRequest()
        if after_sequence is not None:
            if isinstance(after_sequence, bool) or not isinstance(after_sequence, int):
                raise InvalidArgumentError(
                    f"after_sequence must be an integer or None, got {after_sequence!r}"
                )
            request.after_sequence = after_sequence
        self._uri = client.uri
        self._closed = False
        # Typed Any: grpc-stubs leave out the rendezvous' done(), code() and __next__.
        self._call = cast(Any, client.stub.Watch(request))
        self._call.initial_metadata()  # returns once subscribed, or once the call failed
        if self._call.done() and self._call.code() != grpc.StatusCode.OK:
            self._closed = True
            raise translate_error(self._call, self._uri)

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> ev.Event:
        if self._closed:
            raise StopIteration
        try:
            msg = next(self._call)
        except grpc.RpcError as exc:
            cancelled = self._closed or exc.code() == grpc.StatusCode.CANCELLED
            self.close()
            if cancelled:
                raise StopIteration from None
            raise translate_error(exc, self._uri) from None
        except StopIteration:
            self.close()
            raise
        return wire.event_from_pb(msg)

    def close(self) -> None:
        """End the stream; the server unsubscribes it."""
        self._closed = True
        self._call.cancel()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
