"""Change events: what the store publishes after each commit, and who listens.

The store emits an event after a change is committed, in commit order. The gRPC
Watch stream and (later) the web app's WebSocket subscribe here. Listeners run on
the committing thread, so they must be quick and must not raise: hand the event to
a queue and return.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from streamvis.model.schema import Field, Run, Series

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowsAppended:
    run: uuid.UUID
    series: str
    sequence: int
    rows: int


@dataclass(frozen=True)
class RunCreated:
    run: Run


@dataclass(frozen=True)
class RunReplaced:
    run: Run


@dataclass(frozen=True)
class RunDeleted:
    handle: uuid.UUID


@dataclass(frozen=True)
class TagsChanged:
    run: Run


@dataclass(frozen=True)
class AttributesChanged:
    run: Run


@dataclass(frozen=True)
class FieldChanged:
    field: Field


@dataclass(frozen=True)
class SeriesCreated:
    series: Series


@dataclass(frozen=True)
class SeriesDeleted:
    name: str


@dataclass(frozen=True)
class PlotChanged:
    """A saved plot spec was created or replaced, or (deleted=True) deleted."""

    name: str
    deleted: bool


@dataclass(frozen=True)
class DashboardChanged:
    """A saved dashboard was created or replaced, or (deleted=True) deleted."""

    name: str
    deleted: bool


Event = (
    RowsAppended
    | RunCreated
    | RunReplaced
    | RunDeleted
    | TagsChanged
    | AttributesChanged
    | FieldChanged
    | SeriesCreated
    | SeriesDeleted
    | PlotChanged
    | DashboardChanged
)

Listener = Callable[[Event], None]


class EventHub:
    """A thread-safe set of listeners that each get every published event."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[int, Listener] = {}
        self._next = 0

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; the returned function removes it again."""
        with self._lock:
            key = self._next
            self._next += 1
            self._listeners[key] = listener

        def unsubscribe() -> None:
            with self._lock:
                self._listeners.pop(key, None)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners.values())
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                # One broken subscriber must not stop the others or the writer.
                log.exception("event listener failed on %s", type(event).__name__)
