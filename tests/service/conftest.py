"""Fixtures that run a real `streamvis serve` process against each store.

- `store_location`: a fresh store for the test module, parametrized over SQLite (a
  temporary data directory) and PostgreSQL (a scratch database, dropped afterwards).
- `server`: a `ServerProcess` serving that store, started once per module.
- `client`: a `Client` connected to it.
- `fresh_location`: a store of its own for one test (crash and restart tests, a
  server with other options): start it with `ServerProcess(fresh_location, ...)`.
- `unique`: makes names no other test in the module uses; tests share a server, so
  whatever they create is named with it.

Elsewhere, start a server the same way: `ServerProcess(location).start()` gives a
server on a free port whose `.uri` a `Client` takes; `.kill()` crashes it, `.stop()`
shuts it down gracefully, `.start()` restarts it on the same store (see
`streamvis.testing`).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import grpc
import pytest

from streamvis import wire
from streamvis.client import Client
from streamvis.model import events as ev
from streamvis.service.server import build_server
from streamvis.service.servicer import Servicer
from streamvis.store.base import Store
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb

#: The `new_store` fixture (tests/conftest.py).
NewStore = Callable[[str], contextlib.AbstractContextManager[str]]
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=STORES)
def store_location(
    request: pytest.FixtureRequest, new_store: NewStore,
) -> Iterator[str]:
    with new_store(request.param) as location:
        yield location


@pytest.fixture(params=STORES)
def fresh_location(
    request: pytest.FixtureRequest, new_store: NewStore,
) -> Iterator[str]:
    with new_store(request.param) as location:
        yield location


@pytest.fixture(scope="module")
def server(store_location: str) -> Iterator[ServerProcess]:
    with ServerProcess(store_location) as proc:
        yield proc


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[Client]:
    with Client(server.uri, timeout=30) as c:
        yield c


@pytest.fixture
def unique() -> Callable[[str], str]:
    def make(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:10]}"

    return make


class EventStream:
    """A Watch call read on a background thread, so a test can wait with a timeout."""

    def __init__(self, client: Client, after_sequence: int | None = None) -> None:
        request = pb.WatchRequest()
        if after_sequence is not None:
            request.after_sequence = after_sequence
        self.call = client.stub.Watch(request)
        self.events: queue.Queue[ev.Event] = queue.Queue()
        self.error: grpc.RpcError | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        # The server sends headers once it has subscribed: from then on no change
        # is missed.
        self.call.initial_metadata()

    def _read(self) -> None:
        try:
            for msg in self.call:
                self.events.put(wire.event_from_pb(msg))
        except grpc.RpcError as exc:
            self.error = exc

    def next(self, timeout: float = 10.0) -> ev.Event:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s (error: {self.error})") from None

    def take(self, n: int, timeout: float = 10.0) -> list[ev.Event]:
        return [self.next(timeout) for _ in range(n)]

    def quiet(self, seconds: float = 0.3) -> bool:
        """True if no further event arrives within `seconds`."""
        try:
            extra = self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        self.events.put(extra)
        return False

    def ended(self, timeout: float = 10.0) -> grpc.RpcError | None:
        """Wait for the server to end the stream; the error it ended with."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the stream did not end"
        return self.error

    def close(self) -> None:
        self.call.cancel()
        self._thread.join(10)


@pytest.fixture
def watch() -> Iterator[Callable[..., EventStream]]:
    """Open Watch streams (`watch(client, after_sequence=None)`), closed after the test."""
    streams: list[EventStream] = []

    def open_stream(client: Client, after_sequence: int | None = None) -> EventStream:
        stream = EventStream(client, after_sequence)
        streams.append(stream)
        return stream

    yield open_stream
    for stream in streams:
        stream.close()


# -- in-process: what a real server cannot be made to do on demand -------------

Serving = Callable[[Store, Servicer], AbstractContextManager[tuple[str, asyncio.AbstractEventLoop]]]


@contextlib.contextmanager
def _serving(store: Store, servicer: Servicer) -> Iterator[tuple[str, asyncio.AbstractEventLoop]]:
    """Run a server for `servicer` on an event loop in a thread; (uri, loop)."""
    ready = threading.Event()
    state: dict[str, object] = {}

    async def main() -> None:
        server, port = build_server(store, servicer=servicer)
        await server.start()
        stop = asyncio.Event()
        state.update(port=port, loop=asyncio.get_running_loop(), stop=stop)
        ready.set()
        await stop.wait()
        servicer.close()
        await server.stop(1)

    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    assert ready.wait(30)
    loop = state["loop"]
    assert isinstance(loop, asyncio.AbstractEventLoop)
    try:
        yield f"127.0.0.1:{state['port']}", loop
    finally:
        stop = state["stop"]
        assert isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        servicer.join()


@pytest.fixture
def serving() -> Serving:
    """Serve a store with a given servicer in this process (a thread with its own loop)."""
    return _serving
