"""Requests that are not valid protobuf get INVALID_ARGUMENT, not UNKNOWN and a traceback.

gRPC decodes a request before any servicer code runs, and a decoding failure (corrupt
wire format, a string field that is not UTF-8) would end the call with UNKNOWN and log
a traceback as if the server had a bug. `DecodeErrors` wraps each unary-request
method: its deserializer turns a failure into a marker, and the method ends a call
that got the marker with INVALID_ARGUMENT and a message naming the message type.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import grpc.aio
from google.protobuf.message import DecodeError


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


async def _refuse(context: grpc.aio.ServicerContext[Any, Any], bad: _Undecodable) -> None:
    await context.abort(grpc.StatusCode.INVALID_ARGUMENT, bad.message)


def _wrap(handler: Any, method: str) -> Any:
    """`handler` (a grpc.RpcMethodHandler, untyped in the stubs) refusing undecodable requests."""
    if handler.request_streaming or handler.request_deserializer is None:
        return handler  # streamed requests (reflection) decode later, per message
    decode = _safe(handler.request_deserializer, method)
    if handler.unary_unary is not None:
        inner = handler.unary_unary

        async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            if isinstance(request, _Undecodable):
                await _refuse(context, request)
            result = inner(request, context)
            return await result if isinstance(result, Awaitable) else result

        return grpc.unary_unary_rpc_method_handler(
            unary, request_deserializer=decode,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream is not None:
        stream = handler.unary_stream

        async def streaming(
            request: Any, context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            if isinstance(request, _Undecodable):
                await _refuse(context, request)
            async for reply in stream(request, context):
                yield reply

        return grpc.unary_stream_rpc_method_handler(
            streaming, request_deserializer=decode,
            response_serializer=handler.response_serializer,
        )
    return handler


class DecodeErrors(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Refuse undecodable requests with INVALID_ARGUMENT (see the module docstring)."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        # Not cached per method: an interceptor further in may answer a method
        # differently from call to call (authentication).
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        return _wrap(handler, handler_call_details.method.rsplit("/", 1)[-1])
