"""A server to log to from this machine: the one already at an address, or a new child.

`streamvis demo` (and anyone who wants "just make it work" on a laptop) calls
`ensure_server(uri, data_dir, http_port)`: if a streamvis server answers at `uri` it is
used as it is, and asked where its web app is; otherwise a `streamvis serve` child
process is started on the embedded store in `data_dir`, listening where `uri` says. The
child runs in its own session, so a Ctrl-C in the terminal reaches only its starter,
which flushes its loggers first and then stops the child (`LocalServer.stop`).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError, ServerStartError, UnavailableError
from streamvis.testing import ServerProcess

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_WILDCARD = {"0.0.0.0", "::"}  # noqa: S104 - recognised in a URL, not listened on


@dataclass
class LocalServer:
    """Where the server is, and the child process if this program started it."""

    uri: str  # host:port of the gRPC service
    web_url: str  # http://host:port/ of the web app
    process: ServerProcess | None = None

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def stop(self) -> None:
        """Stop the server if this program started it; someone else's keeps running."""
        if self.process is not None:
            self.process.stop()
            self.process = None


def split_uri(uri: str) -> tuple[str, int]:
    """("host", port) of "host:port" or "[v6]:port"; raise InvalidArgumentError if malformed."""
    parts = urllib.parse.urlsplit(f"//{uri}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None:
        raise InvalidArgumentError(
            f"--uri {uri!r} is not host:port: give an address such as localhost:8001"
        )
    return parts.hostname, port


def server_answers(uri: str, timeout: float = 1.5) -> bool:
    """True if a streamvis server answers a health check at `uri` within `timeout` s."""
    with grpc.insecure_channel(uri) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(
                health_pb2.HealthCheckRequest(service="streamvis.v1.Service"), timeout=timeout
            )
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def _web_answers(web_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{web_url}api/series", timeout=5):  # noqa: S310 - the server's URL
            return True
    except (urllib.error.URLError, OSError):
        return False


def reachable_url(web_url: str, host: str) -> str:
    """`web_url` of a server listening on every address (0.0.0.0, ::) with `host`, the
    one its gRPC service was reached by, instead; any other `web_url` as it is."""
    parts = urllib.parse.urlsplit(web_url)
    if parts.hostname not in _WILDCARD:
        return web_url
    netloc = f"[{host}]" if ":" in host else host
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{netloc}:{parts.port}"))


def web_url_of(uri: str) -> str:
    """Where the web app of the server at `uri` is, as that server says (GetInfo).

    Asked, not guessed: on a guessed port another server's page may answer.
    """
    with Client(uri) as client:
        web_url = client.info().web_url
    if not web_url:
        raise UnavailableError(
            f"the streamvis server at {uri} runs without a web app: restart it with "
            "`streamvis serve` and an --http-port, or let the demo start one (--uri "
            "localhost:PORT with a free PORT)"
        )
    web_url = reachable_url(web_url, split_uri(uri)[0])
    if not _web_answers(web_url):
        raise UnavailableError(
            f"the streamvis server at {uri} says its web app is at {web_url}, but nothing "
            "answers there from this machine: open it where it can be reached"
        )
    return web_url


def ensure_server(uri: str, data_dir: str, http_port: int) -> LocalServer:
    """The server at `uri`, started on the embedded store in `data_dir` if none answers.

    Port 0 in `uri` or `http_port` means any free port (the result says which);
    `http_port` is for a server started here: one that answers says where its web app is.
    """
    host, port = split_uri(uri)
    if port and server_answers(uri):
        return LocalServer(uri, web_url_of(uri))
    if host not in _LOOPBACK:
        raise UnavailableError(
            f"no streamvis server answers at {uri}, and one can be started only on this "
            "machine: start `streamvis serve` there, or use a localhost address"
        )
    process = ServerProcess(
        data_dir, host="127.0.0.1" if host == "localhost" else host, port=port,
        extra_args=["--http-port", str(http_port)], new_session=True,
    )
    try:
        process.start()
    except ServerStartError as exc:
        raise UnavailableError(f"could not start a server for the demo: {exc}") from None
    return LocalServer(process.uri, process.web_url, process)
