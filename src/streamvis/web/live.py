"""Live events over a WebSocket (`/api/events`), pushed as the store commits them.

The store publishes events on the committing thread. The feed hands them to the
event loop and fans them out to every connected client, each through a bounded
queue; a client that falls further behind than that is told to reconnect with the
sequence it last saw, and is closed, so one slow browser never holds memory or
slows the writers.

`rows_appended` messages are not copied from the events but read from the store's
chunk log (`chunks_after`) whenever an append is announced. Sequences follow commit
order, so the log is complete up to its last entry; reading it makes the stream
gap-free and ascending even when events arrive out of order, as they can when
other servers' writes come in through PostgreSQL notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from streamvis.model import events as ev
from streamvis.model.chunks import ChunkInfo
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_EVENTS_BEHIND
from streamvis.store.base import Store
from streamvis.web.filters_json import field_json, run_json, series_json

log = logging.getLogger("streamvis.web.live")

#: Chunk log entries read per store call.
PAGE = 1_000
#: Close codes: 1013 "try again later" for a client that fell behind, 1001 for shutdown.
CLOSE_BEHIND = 1013
CLOSE_GOING_AWAY = 1001


def event_message(event: ev.Event) -> dict[str, Any] | None:  # noqa: PLR0911 - one per kind
    """The JSON message for an event (docs/http-api.md); None for rows, read from the log."""
    match event:
        case ev.RunCreated():
            return {"type": "run_created", "run": run_json(event.run)}
        case ev.RunReplaced():
            return {"type": "run_replaced", "run": run_json(event.run)}
        case ev.TagsChanged():
            return {"type": "tags_changed", "run": run_json(event.run)}
        case ev.AttributesChanged():
            return {"type": "attributes_changed", "run": run_json(event.run)}
        case ev.RunDeleted():
            return {"type": "run_deleted", "handle": str(event.handle)}
        case ev.FieldChanged():
            return {"type": "field_changed", "field": field_json(event.field)}
        case ev.SeriesCreated():
            return {"type": "series_created", "series": series_json(event.series)}
        case ev.SeriesDeleted():
            return {"type": "series_deleted", "name": event.name}
        case ev.PlotChanged():
            return {"type": "plot_changed", "name": event.name, "deleted": event.deleted}
        case ev.DashboardChanged():
            return {"type": "dashboard_changed", "name": event.name, "deleted": event.deleted}
    return None


def rows_message(info: ChunkInfo) -> str:
    return json.dumps({"type": "rows_appended", "run": str(info.run), "series": info.series,
                       "sequence": info.sequence, "rows": info.rows})


#: Queued in place of everything else when a client must reconnect.
_END = (-1, "")


@dataclass(eq=False)
class Client:
    """One WebSocket's queue of encoded messages, with the row sequence each carries."""

    queue: asyncio.Queue[tuple[int, str]]
    ended: bool = False

    def offer(self, sequence: int, message: str) -> None:
        if self.ended:
            return
        try:
            self.queue.put_nowait((sequence, message))
        except asyncio.QueueFull:
            self.end()

    def end(self) -> None:
        """Drop what is queued and make the sender tell the client to reconnect.

        What was dropped is not lost to the client: it reconnects with the last
        sequence it was sent and gets the rows again from the chunk log.
        """
        self.ended = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(_END)


class LiveFeed:
    """Fans the store's events out to WebSocket clients; one per app."""

    def __init__(self, store: Store, client_buffer: int = MAX_EVENTS_BEHIND) -> None:
        self.store = store
        self.client_buffer = client_buffer
        self.clients: set[Client] = set()
        self.cursor = 0  # chunk log read up to here
        # With no client connected the log is not read: `cursor` is behind, and the
        # first client to connect moves it to the log's end (`join`).
        self.behind = False
        self._reading = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._pending_rows = threading.Event()
        self._unsubscribe: Callable[[], None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self.closing = False

    async def start(self) -> None:
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()  # an Event belongs to the loop that first waits on it
        self._reading = asyncio.Lock()  # so does a Lock
        self.closing = False
        self._unsubscribe = self.store.events.subscribe(self._on_event)
        # Subscribed first, then read: an append between the two is in the log.
        self.cursor = await asyncio.to_thread(self.store.last_sequence)
        self._pump = asyncio.create_task(self._pump_rows(), name="streamvis-live-pump")

    async def stop(self) -> None:
        self.closing = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        for client in list(self.clients):
            client.end()  # wakes each connection, which closes itself
        self._loop = None

    # -- on the committing thread --------------------------------------------

    def _on_event(self, event: ev.Event) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            if isinstance(event, ev.RowsAppended):
                self.wake()
            elif self.clients:
                # With no page open there is no one to tell: a batch of 5,000 runs
                # made 5,000 messages and hand-overs to the loop for nobody. (A client
                # that connects as the run commits could get it or not, as before.)
                message = event_message(event)
                if message is not None:
                    loop.call_soon_threadsafe(self._broadcast, 0, json.dumps(message))
        except RuntimeError:  # the loop closed under us: the app is stopping
            pass

    def wake(self) -> None:
        """Read the chunk log for new rows soon (thread-safe).

        Appends are only a signal to read the log, so a burst of them costs one
        hand-over to the loop, not one per append.
        """
        loop = self._loop
        if loop is None or self._pending_rows.is_set():
            return
        self._pending_rows.set()
        try:
            loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the loop closed under us: the app is stopping
            self._pending_rows.clear()

    # -- on the loop ----------------------------------------------------------

    def _broadcast(self, sequence: int, message: str) -> None:
        for client in self.clients:
            client.offer(sequence, message)

    async def _pump_rows(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._pending_rows.clear()
            try:
                async with self._reading:
                    if not self.clients:
                        # No page open: reading the log would tell no one (an idle
                        # server ran a read transaction an append for it: on PostgreSQL
                        # three round trips). The next client to join starts at its end.
                        self.behind = True
                        continue
                    await self._read_rows()
            except Exception:
                # The store may be briefly unreachable; the next append retries.
                log.exception("reading the chunk log for live events failed")

    async def _read_rows(self) -> None:
        while True:
            infos = await asyncio.to_thread(self.store.chunks_after, self.cursor, PAGE)
            for info in infos:
                self._broadcast(info.sequence, rows_message(info))
            if infos:
                self.cursor = infos[-1].sequence
            if len(infos) < PAGE:
                return

    def connect(self) -> Client:
        client = Client(asyncio.Queue(maxsize=self.client_buffer))
        self.clients.add(client)
        return client

    async def join(self) -> Client:
        """`connect`, with the cursor moved to the log's end first if the log was not
        read while no client was connected (`behind`): the new client starts there, as
        on a feed started now; older rows come by its own replay (`after_sequence`), not
        in a burst. Under the lock the pump reads with, so no append falls between."""
        async with self._reading:
            if self.behind:
                self.cursor = await asyncio.to_thread(self.store.last_sequence)
                self.behind = False
            return self.connect()

    def disconnect(self, client: Client) -> None:
        self.clients.discard(client)


def _after_sequence(websocket: WebSocket) -> int | None:
    text = websocket.query_params.get("after_sequence")
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()):  # isdigit alone takes '²', int() does not
        raise InvalidArgumentError(
            f"after_sequence={text!r} is not a whole number >= 0: give the last sequence seen"
        )
    if int(text) >= 2**63:  # past any sequence, and past what the stores' integers hold
        raise InvalidArgumentError(
            f"after_sequence={text} is larger than any sequence: give the last sequence seen"
        )
    return int(text)


async def _replay(websocket: WebSocket, store: Store, after: int) -> int:
    """Send every rows_appended after `after` from the chunk log; the last sequence sent."""
    while True:
        infos = await asyncio.to_thread(store.chunks_after, after, PAGE)
        for info in infos:
            await websocket.send_text(rows_message(info))
        if infos:
            after = infos[-1].sequence
        if len(infos) < PAGE:
            return after


async def _send(websocket: WebSocket, client: Client, feed: LiveFeed, after: int | None) -> None:
    """Send queued messages until the client falls behind or the server stops."""
    seen = after if after is not None else feed.cursor
    replayed = -1
    if after is not None:
        replayed = seen = await _replay(websocket, feed.store, after)
    while True:
        sequence, message = await client.queue.get()
        if (sequence, message) == _END:
            break
        if sequence and sequence <= replayed:
            continue  # sent by the replay already
        await websocket.send_text(message)
        seen = max(seen, sequence)
    reason = "the server is shutting down" if feed.closing else "this client fell behind"
    code = CLOSE_GOING_AWAY if feed.closing else CLOSE_BEHIND
    text = (f"{reason}: reconnect with after_sequence={seen} to get the rows appended since, "
            "and re-read runs, fields, series, plots and dashboards")
    await websocket.send_text(json.dumps({"type": "reconnect", "after_sequence": seen,
                                          "message": text}))
    await websocket.close(code, f"reconnect with after_sequence={seen}")


async def events_endpoint(websocket: WebSocket) -> None:
    feed: LiveFeed = websocket.app.state.streamvis_feed
    try:
        after = _after_sequence(websocket)
    except InvalidArgumentError as exc:
        await websocket.accept()
        await websocket.send_text(json.dumps({"type": "error", "error": exc.code,
                                              "message": str(exc)}))
        await websocket.close(1008, "bad after_sequence")
        return
    await feed.start()
    # Joined before the replay reads the log, so nothing falls between; and before the
    # handshake completes, so every append the client can see come after it is sent.
    client = await feed.join()
    sender = receiver = None
    try:
        await websocket.accept()
        sender = asyncio.create_task(_send(websocket, client, feed, after))
        receiver = asyncio.create_task(_drain(websocket))
        await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        feed.disconnect(client)
        tasks = [t for t in (sender, receiver) if t is not None]
        for task in tasks:
            task.cancel()
        # A send to a client that vanished fails; that ends this connection only.
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, Exception) and not isinstance(outcome, WebSocketDisconnect):
                log.debug("websocket ended: %r", outcome)


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it goes away."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
