"""How a client reaches a server: the gRPC channel, its TLS and its token.

Every client — `Client`, the loggers, `streamvis.connect`, the CLI, spool sync — opens
its channel here, so each takes the same arguments and the same environment:

- `token` (else `STREAMVIS_TOKEN`): sent as `authorization: Bearer <token>` metadata
  on every call.
- `tls=True` or `tls_ca="ca.pem"` (else `STREAMVIS_TLS_CA`, or `STREAMVIS_TLS=1`):
  a TLS channel, verified against that CA file or else the system's roots.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import grpc

from streamvis.model.environment import TOKEN_ENV
from streamvis.model.errors import FailedPreconditionError

TLS_ENV = "STREAMVIS_TLS"
TLS_CA_ENV = "STREAMVIS_TLS_CA"

ChannelOptions = Sequence[tuple[str, int | str]]


def resolve_token(token: str | None) -> str | None:
    """The token to send: the one given, else $STREAMVIS_TOKEN, else none."""
    if token is None:
        token = os.environ.get(TOKEN_ENV)
    return token or None


def resolve_tls(
    tls: bool | None, tls_ca: str | os.PathLike[str] | None
) -> tuple[bool, bytes | None]:
    """Whether to use TLS and the CA certificates (PEM) to trust, None for the system's."""
    if tls_ca is None:
        tls_ca = os.environ.get(TLS_CA_ENV) or None
    if tls is None:
        tls = tls_ca is not None or os.environ.get(TLS_ENV, "").lower() in {"1", "true", "yes"}
    if not tls:
        return False, None
    if tls_ca is None:
        return True, None
    try:
        # open(), not pathlib: pathlib (and the urllib and ipaddress it loads) would
        # cost every client a few milliseconds of start-up (tests/cli/test_startup.py).
        with open(tls_ca, "rb") as pem:  # noqa: PTH123
            return True, pem.read()
    except OSError as exc:
        raise FailedPreconditionError(
            f"cannot read the TLS CA file {os.fspath(tls_ca)!r} ({exc.strerror}): give the "
            f"PEM certificate that signed the server's (--tls-ca or {TLS_CA_ENV})"
        ) from None


class _Bearer(
    grpc.UnaryUnaryClientInterceptor,  # type: ignore[type-arg]
    grpc.UnaryStreamClientInterceptor,  # type: ignore[type-arg]
    grpc.StreamUnaryClientInterceptor,  # type: ignore[type-arg]
    grpc.StreamStreamClientInterceptor,  # type: ignore[type-arg]
):
    """Adds `authorization: Bearer <token>` to every call's metadata."""

    def __init__(self, token: str) -> None:
        self._pair = ("authorization", f"Bearer {token}")

    def _details(self, details: Any) -> Any:
        metadata = [*(details.metadata or ()), self._pair]
        return details._replace(metadata=metadata)

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any,
                              request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Callable[..., Any], details: Any,
                               request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Callable[..., Any], details: Any,
                               requests: Any) -> Any:
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation: Callable[..., Any], details: Any,
                                requests: Any) -> Any:
        return continuation(self._details(details), requests)


def open_channel(
    uri: str, *, token: str | None = None, tls: bool | None = None,
    tls_ca: str | os.PathLike[str] | None = None, options: ChannelOptions = (),
) -> tuple[grpc.Channel, grpc.Channel]:
    """(the raw channel, the channel to call through): close the first when done."""
    use_tls, roots = resolve_tls(tls, tls_ca)
    if use_tls:
        raw = grpc.secure_channel(uri, grpc.ssl_channel_credentials(roots), options=options)
    else:
        raw = grpc.insecure_channel(uri, options=options)
    token = resolve_token(token)
    if token is None:
        return raw, raw
    return raw, grpc.intercept_channel(raw, _Bearer(token))
