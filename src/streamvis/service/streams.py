"""The server-streaming RPCs: QueryRunData (stored chunks) and Watch (live events).

Both bridge a producer that is not on the event loop to a gRPC stream, and both
bound what they hold: a query reads a few chunks ahead of its client and no more; a
watcher buffers a fixed number of events and is ended, with a message saying how
to resume, when its client falls further behind than that.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import Executor
from typing import Any, TypeVar

from streamvis import wire, wire_columns
from streamvis.model import events as ev
from streamvis.model.errors import ResourceExhaustedError, StreamvisError, UnavailableError
from streamvis.model.limits import MAX_EVENTS_BEHIND
from streamvis.model.schema import validate_name
from streamvis.service import calls
from streamvis.service.calls import Context, abort
from streamvis.store.base import Store
from streamvis.v1 import service_pb2 as pb

T = TypeVar("T")

#: Chunks a query converts ahead of what its client has taken.
QUERY_AHEAD = 4
#: Events a watcher may fall behind before it is ended.
WATCH_BUFFER = MAX_EVENTS_BEHIND
#: Chunks read per store call while replaying for `after_sequence`.
REPLAY_PAGE = 1_000


class _Kind(enum.Enum):
    ITEM = 1
    END = 2
    ERROR = 3


async def iterate_in_thread(
    executor: Executor, make: Callable[[], Iterator[T]], ahead: int
) -> AsyncGenerator[T, None]:
    """Run a blocking iterator on one worker thread, at most `ahead` items early.

    The iterator is created, advanced and closed on the same thread, since a store
    cursor may be tied to the thread (and connection) that opened it. When the
    consumer goes away the producer stops at its next item and closes the iterator.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[_Kind, Any]] = asyncio.Queue()
    slots = threading.Semaphore(ahead)
    stop = threading.Event()

    def post(kind: _Kind, value: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
        except RuntimeError:  # the loop is closed: nobody is reading any more
            stop.set()

    def produce() -> None:
        try:
            items = make()
            try:
                while True:
                    while not slots.acquire(timeout=1.0):
                        if stop.is_set():
                            return
                    if stop.is_set():
                        return
                    try:
                        item = next(items)
                    except StopIteration:
                        break
                    post(_Kind.ITEM, item)
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()
            post(_Kind.END, None)
        except Exception as exc:  # noqa: BLE001 - travels to the consumer, which reports it
            post(_Kind.ERROR, exc)

    loop.run_in_executor(executor, produce)
    try:
        while True:
            kind, value = await queue.get()
            if kind is _Kind.ITEM:
                slots.release()
                yield value
            elif kind is _Kind.END:
                return
            else:
                raise value
    finally:
        stop.set()
        slots.release()  # wake a producer waiting for a slot, so it sees `stop`


async def query_run_data(
    store: Store, executor: Executor, request: pb.QueryRunDataRequest, context: Context
) -> AsyncGenerator[pb.QueryRunDataResponse, None]:
    try:
        run_filter = wire.filter_from_pb(request.filter)
        series = validate_name("series", request.series)
        fields = calls.names("field", request.fields)
        attributes = calls.names("attribute", request.attributes)
        after = calls.after_sequence(request.after_sequence)

        def replies() -> Iterator[pb.QueryRunDataResponse]:
            # Packing happens here, on the worker thread, not on the event loop.
            chunks = store.query(run_filter, series, fields, attributes, after,
                                 as_stored=request.as_stored)
            for chunk in chunks:
                yield pb.QueryRunDataResponse(
                    run=str(chunk.run), sequence=chunk.sequence, rows=chunk.batch.num_rows,
                    columns=wire_columns.batch_to_pb(chunk.batch),
                    attributes=wire.values_to_pb(chunk.attributes),
                )

        async with contextlib.aclosing(
            iterate_in_thread(executor, replies, QUERY_AHEAD)
        ) as stream:
            async for reply in stream:
                yield reply
    except Exception as exc:  # noqa: BLE001 - every failure must end the call with a status
        await abort(context, exc, "QueryRunData")


class _EndedError(Exception):
    """A watcher's buffer stopped taking events: it overflowed, or the server stops."""

    def __init__(self, overflowed_at: int | None) -> None:
        super().__init__()
        self.overflowed_at = overflowed_at

    def error(self, seen: int) -> StreamvisError:
        """What the client is told, with where to resume from."""
        if self.overflowed_at is None:
            return UnavailableError(
                f"the server is shutting down: reconnect with after_sequence={seen} to "
                "miss no rows"
            )
        return ResourceExhaustedError(
            f"this watcher fell more than {self.overflowed_at} events behind and was "
            f"ended: reconnect with after_sequence={seen} to get the rows appended "
            "since, and re-read runs, fields and series"
        )


class EventBuffer:
    """Events handed from committing threads to one Watch stream, bounded.

    `put` runs on whichever thread committed the change, so it only appends under a
    lock and wakes the loop when the buffer turns non-empty; the stream takes
    everything buffered at once.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int) -> None:
        self._loop = loop
        self._capacity = capacity
        self._lock = threading.Lock()
        self._events: collections.deque[ev.Event] = collections.deque()
        self._wake = asyncio.Event()
        self._overflowed = False
        self._closed = False

    def put(self, event: ev.Event) -> None:
        with self._lock:
            if self._overflowed or self._closed:
                return
            if len(self._events) >= self._capacity:
                self._overflowed = True
            else:
                self._events.append(event)
            notify = self._overflowed or len(self._events) == 1
        if notify:
            self._notify()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._notify()

    def _notify(self) -> None:
        # A closed loop means the stream is gone already.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._wake.set)

    async def take(self) -> list[ev.Event]:
        """Everything buffered, waiting for at least one event."""
        while True:
            with self._lock:
                if self._closed:
                    raise _EndedError(None)
                if self._events:
                    events = list(self._events)
                    self._events.clear()
                    return events
                if self._overflowed:
                    raise _EndedError(self._capacity)
                self._wake.clear()
            await self._wake.wait()


def _unseen(events: list[ev.Event], seen: int) -> tuple[list[pb.Event], int]:
    """`events` to send, without chunks at or before `seen`; and the new `seen`."""
    fresh = []
    for event in events:
        if isinstance(event, ev.RowsAppended):
            if event.sequence <= seen:
                continue
            seen = event.sequence
        fresh.append(wire.event_to_pb(event))
    return fresh, seen


class Watchers:
    """The open Watch streams of one server."""

    def __init__(self, store: Store, executor: Executor, *, buffer: int = WATCH_BUFFER) -> None:
        self._store = store
        self._executor = executor
        self._buffer = buffer
        self._open: set[EventBuffer] = set()
        self._closed = False

    def close(self) -> None:
        """End every stream (the server is stopping); later Watch calls are refused."""
        self._closed = True
        for buffer in list(self._open):
            buffer.close()

    async def watch(
        self, request: pb.WatchRequest, context: Context
    ) -> AsyncGenerator[pb.Event, None]:
        if self._closed:
            await abort(context, UnavailableError(
                "the server is shutting down: connect again once it is back"
            ), "Watch")
        loop = asyncio.get_running_loop()
        buffer = EventBuffer(loop, self._buffer)
        # Subscribe before reading the past: a chunk committed in between then shows
        # up in both, and the sequence check below drops the second copy.
        unsubscribe = self._store.events.subscribe(buffer.put)
        self._open.add(buffer)
        # Every chunk up to `seen` has been sent, or was committed before the watch.
        seen = 0
        try:
            replay = request.HasField("after_sequence")
            if replay:
                seen = calls.after_sequence(request.after_sequence)
            else:
                # A live watcher starts at the newest chunk, so that the resume point
                # it is told on overflow or shutdown is exact.
                seen = await loop.run_in_executor(self._executor, self._store.last_sequence)
            # Headers go out now rather than with the first event: once a client has
            # them it is subscribed, and no later change can be missed.
            await context.send_initial_metadata(())
            while replay:
                page = await loop.run_in_executor(
                    self._executor, self._store.chunks_after, seen, REPLAY_PAGE
                )
                for info in page:
                    seen = info.sequence
                    yield wire.event_to_pb(
                        ev.RowsAppended(info.run, info.series, info.sequence, info.rows)
                    )
                replay = len(page) == REPLAY_PAGE
            while True:
                fresh, seen = _unseen(await buffer.take(), seen)
                for event in fresh:
                    yield event
        except _EndedError as ended:
            await abort(context, ended.error(seen), "Watch")
        except Exception as exc:  # noqa: BLE001 - every failure must end the call with a status
            await abort(context, exc, "Watch")
        finally:
            self._open.discard(buffer)
            unsubscribe()

