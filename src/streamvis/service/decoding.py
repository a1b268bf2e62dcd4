"""Requests that are not valid protobuf get INVALID_ARGUMENT, not UNKNOWN and a traceback.

gRPC decodes a request before any servicer code runs, and a decoding failure (corrupt
wire format, a string field that is not UTF-8) would end the call with UNKNOWN and log
a traceback as if the server had a bug. `DecodeErrors` wraps each unary-request
method: its deserializer turns a failure into a marker, and the method ends a call
that got the marker with INVALID_ARGUMENT and a message naming the message type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
import grpc.aio
from google.protobuf.message import DecodeError

from streamvis.service.handlers import CheckingInterceptor, Context, checked_first


@dataclass(frozen=True)
class _Undecodable:
    """Stands in for a request that could not be decoded."""

    message: str


def _safe(deserialize: Callable[[bytes], Any], method: str) -> Callable[[bytes], Any]:
    def decode(data: bytes) -> Any:
        try:
            return deserialize(data)
        except DecodeError as exc:
            return _Undecodable(
                f"the request to {method} is not a valid protobuf message ({exc}): send "
                "a message of the type in proto/streamvis/v1/service.proto, with UTF-8 strings"
            )

    return decode


async def _refuse_undecodable(request: Any, context: Context) -> None:
    if isinstance(request, _Undecodable):
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.message)


def _wrap(handler: Any, method: str) -> Any:
    """`handler` (a grpc.RpcMethodHandler, untyped in the stubs) refusing undecodable requests."""
    if handler.request_streaming or handler.request_deserializer is None:
        return handler  # streamed requests (reflection) decode later, per message
    decode = _safe(handler.request_deserializer, method)
    return checked_first(handler, _refuse_undecodable, decode) or handler


class DecodeErrors(CheckingInterceptor):
    """Refuse undecodable requests with INVALID_ARGUMENT (see the module docstring)."""

    def wrap(self, handler: Any, method: str) -> Any:
        return _wrap(handler, method.rsplit("/", 1)[-1])
