"""A gRPC method handler that runs a check before the method: what both server
interceptors do (guard.py checks the token and the serve mode, decoding.py refuses
requests that did not decode).

grpc.aio hands an interceptor a `grpc.RpcMethodHandler` (untyped in the stubs); to
act on a call it returns a new handler around the old one's method.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import grpc.aio

Context = grpc.aio.ServicerContext[Any, Any]
#: Awaited with the request and the context before the method runs; it ends the call
#: (context.abort) to refuse it.
Before = Callable[[Any, Context], Awaitable[None]]


def checked_first(
    handler: Any, before: Before, deserializer: Callable[[bytes], Any] | None = None,
) -> Any | None:
    """`handler` with `before` awaited first, and `deserializer` (if given) decoding its
    requests; None for a method whose requests are streamed (neither check covers one)."""
    decode = deserializer or handler.request_deserializer
    if handler.unary_unary is not None:
        inner = handler.unary_unary

        async def unary(request: Any, context: Context) -> Any:
            await before(request, context)
            result = inner(request, context)
            return await result if isinstance(result, Awaitable) else result

        return grpc.unary_unary_rpc_method_handler(
            unary, request_deserializer=decode,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream is not None:
        stream = handler.unary_stream

        async def streaming(request: Any, context: Context) -> AsyncIterator[Any]:
            await before(request, context)
            async for reply in stream(request, context):
                yield reply

        return grpc.unary_stream_rpc_method_handler(
            streaming, request_deserializer=decode,
            response_serializer=handler.response_serializer,
        )
    return None


class CheckingInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """A server interceptor that replaces each method's handler by `wrap`'s."""

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
        return self.wrap(handler, handler_call_details.method)

    def wrap(self, handler: Any, method: str) -> Any:
        """The handler to run for `handler` of `method` ('/package.Service/Method')."""
        raise NotImplementedError
