"""Replicas on one PostgreSQL database hear each other's writes: LISTEN/NOTIFY.

Each server process on PostgreSQL runs one `ReplicaRelay` (streamvis.server starts
it, with or without the web app). It subscribes to its own store's events and sends
each as a NOTIFY on a connection of its own, right after the commit that published
it; and it LISTENs on another connection, turning every notification from another
process back into the same event, published on the local store's hub. The gRPC
Watch stream, the live feed and the column cache then treat a write made through
another replica exactly like a local one.

Payloads carry ids, never data (PostgreSQL refuses payloads of 8000 bytes or
more): a run's handle, a field's handle, a series' name. The receiver reads the
current state from the database. `rows_appended` carries its four small values,
and the live feed reads the chunk log anyway, so a lost or reordered notification
cannot make a client miss rows. Each relay tags what it sends with an origin id
and ignores its own notifications.

If the listening connection drops, the relay reconnects and calls its gap
listeners: the web app then drops its cached columns (runs may have been replaced
or deleted meanwhile) and re-reads the chunk log for rows it has not announced yet.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from streamvis.model import events as ev
from streamvis.model.errors import NotFoundError
from streamvis.model.schema import Run
from streamvis.store.base import Store
from streamvis.store.pg_pool import CONNECT_KWARGS

log = logging.getLogger("streamvis.store.pg_relay")

CHANNEL = "streamvis_events"
#: PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
MAX_PAYLOAD = 7999
# Pauses between attempts to reach the database again: short, so that live events flow
# within about a second of PostgreSQL coming back (an attempt while it is away fails
# at once, or after CONNECT_TIMEOUT_S).
_RETRY_S = (0.25, 0.5, 1.0)
_POLL_S = 0.5
#: Payloads sent in one statement at most (PostgreSQL delivers them in order, at commit).
_NOTIFY_BATCH = 5000


def payload(event: ev.Event, origin: str) -> str | None:
    """The NOTIFY payload for a local event: ids only, JSON, under 8000 bytes."""
    body: dict[str, Any]
    match event:
        case ev.RowsAppended():
            body = {"t": "rows", "r": str(event.run), "s": event.series,
                    "q": event.sequence, "n": event.rows}
        case ev.RunCreated() | ev.RunReplaced() | ev.TagsChanged() | ev.AttributesChanged():
            body = {"t": type(event).__name__, "r": str(event.run.handle)}
        case ev.RunDeleted():
            body = {"t": "RunDeleted", "r": str(event.handle)}
        case ev.FieldChanged():
            body = {"t": "FieldChanged", "f": str(event.field.handle)}
        case ev.SeriesCreated():
            body = {"t": "SeriesCreated", "n": event.series.name}
        case ev.SeriesDeleted():
            body = {"t": "SeriesDeleted", "n": event.name}
        case ev.PlotChanged():
            body = {"t": "PlotChanged", "n": event.name, "d": event.deleted}
        case ev.DashboardChanged():
            body = {"t": "DashboardChanged", "n": event.name, "d": event.deleted}
        case _:
            return None
    text = json.dumps({"o": origin, **body}, separators=(",", ":"))
    return text if len(text.encode()) <= MAX_PAYLOAD else None


_RUN_EVENTS: dict[str, Callable[[Run], ev.Event]] = {
    "RunCreated": ev.RunCreated, "RunReplaced": ev.RunReplaced,
    "TagsChanged": ev.TagsChanged, "AttributesChanged": ev.AttributesChanged,
}


def event_from(body: dict[str, Any], store: Store) -> ev.Event | None:  # noqa: PLR0911
    """The event a remote notification stands for, read back from the store.

    None when what it names is gone already (a run deleted right after it was
    tagged): the deletion's own notification follows.
    """
    kind = body.get("t")
    try:
        if kind == "rows":
            return ev.RowsAppended(uuid.UUID(body["r"]), str(body["s"]), int(body["q"]),
                                   int(body["n"]))
        if kind == "RunDeleted":
            return ev.RunDeleted(uuid.UUID(body["r"]))
        if kind in _RUN_EVENTS:
            return _RUN_EVENTS[kind](store.get_run(uuid.UUID(body["r"])))
        if kind == "FieldChanged":
            handle = uuid.UUID(body["f"])
            found = [f for f in store.list_fields() if f.handle == handle]
            return ev.FieldChanged(found[0]) if found else None
        if kind == "SeriesCreated":
            series = [s for s in store.list_series() if s.name == body["n"]]
            return ev.SeriesCreated(series[0]) if series else None
        if kind == "SeriesDeleted":
            return ev.SeriesDeleted(str(body["n"]))
        if kind == "PlotChanged":
            return ev.PlotChanged(str(body["n"]), bool(body["d"]))
        if kind == "DashboardChanged":
            return ev.DashboardChanged(str(body["n"]), bool(body["d"]))
    except NotFoundError:
        return None
    except (KeyError, ValueError, TypeError):
        log.warning("ignoring a malformed notification on %s: %r", CHANNEL, body)
        return None
    return None


class ReplicaRelay:
    """Sends this process's store events to other replicas and publishes theirs here."""

    def __init__(self, store: Store, dsn: str) -> None:
        self.store = store
        self.dsn = dsn
        # Called after the listener lost events (a reconnect); see add_gap_listener.
        self._gap_listeners: dict[int, Callable[[], None]] = {}
        self._next_listener = 0
        self.origin = uuid.uuid4().hex
        # How `payload` begins this replica's notifications.
        self._own = json.dumps({"o": self.origin}, separators=(",", ":"))[:-1] + ","
        self._outbox: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._held: list[str] = []  # taken from the outbox, not yet sent (_drain)
        self._stop = threading.Event()
        self._local = threading.local()  # set while republishing a remote event
        self._listening = threading.Event()
        self._threads: list[threading.Thread] = []
        self._unsubscribe: Callable[[], None] | None = None

    def add_gap_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after each reconnect (events may be lost); returns its remover."""
        key, self._next_listener = self._next_listener, self._next_listener + 1
        self._gap_listeners[key] = listener

        def remove() -> None:
            self._gap_listeners.pop(key, None)

        return remove

    def start(self, timeout: float = 10.0) -> None:
        """Start both threads; returns once the listener is listening."""
        self._unsubscribe = self.store.events.subscribe(self._on_local)
        for target, name in ((self._send_loop, "notify"), (self._listen_loop, "listen")):
            thread = threading.Thread(target=target, name=f"streamvis-pg-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if not self._listening.wait(timeout):
            log.warning("not yet listening on %s; other replicas' writes show once it is",
                        CHANNEL)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stop.set()
        self._outbox.put(None)
        for thread in self._threads:
            thread.join(10)
        self._threads.clear()

    # -- outgoing ---------------------------------------------------------------

    def _on_local(self, event: ev.Event) -> None:
        # Runs on the committing thread: queue and return. A remote event being
        # republished here must not travel back out.
        if getattr(self._local, "republishing", False):
            return
        text = payload(event, self.origin)
        if text is not None:
            self._outbox.put(text)

    def _send_loop(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        try:
            while True:
                texts, last = self._drain()
                for attempt, pause in enumerate((*_RETRY_S, None)):
                    if not texts:
                        break
                    try:
                        if conn is None or conn.closed:
                            conn = psycopg.connect(self.dsn, **CONNECT_KWARGS)
                        # All that is queued in one statement, in order: a batch of
                        # 5,000 runs sent 5,000 transactions one by one. As one text,
                        # split at newlines (JSON escapes its own): a text[] parameter
                        # escaped each payload's quotes by a regex in Python, 12 a run
                        # (decision 0047).
                        conn.execute(
                            "SELECT pg_notify(%s, t) FROM unnest(string_to_array(%s, chr(10))) "
                            "AS t",
                            (CHANNEL, "\n".join(texts)))
                        break
                    except psycopg.Error as exc:
                        if conn is not None:
                            conn.close()
                        conn = None
                        if pause is None or self._stop.is_set():
                            log.warning("could not notify other replicas (%s); they see this "
                                        "change on their next reload", exc)
                            break
                        log.debug("notify attempt %d failed: %s", attempt + 1, exc)
                        time.sleep(pause)
                if last:
                    return
        finally:
            if conn is not None:
                conn.close()

    def _drain(self) -> tuple[list[str], bool]:
        """The next payloads to send: the first waited for, then whatever else is queued,
        at most _NOTIFY_BATCH and none twice (PostgreSQL delivers identical payloads of
        one transaction once: a run deleted and made again would be heard only made);
        and whether the relay stops after them."""
        texts: list[str] = []
        seen: set[str] = set()
        text = self._held.pop() if self._held else self._outbox.get()
        while text is not None:
            if text in seen:
                self._held.append(text)  # the first of the next statement
                return texts, False
            texts.append(text)
            seen.add(text)
            if len(texts) >= _NOTIFY_BATCH or self._outbox.empty():
                return texts, False
            text = self._outbox.get_nowait()
        return texts, True

    # -- incoming ---------------------------------------------------------------

    def _listen_loop(self) -> None:
        failures = 0
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.dsn, **CONNECT_KWARGS) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                    self._listening.set()
                    if not first:
                        self._gap()
                    first, failures = False, 0
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=_POLL_S):
                            self._on_remote(note.payload)
            except psycopg.Error as exc:
                pause = _RETRY_S[min(failures, len(_RETRY_S) - 1)]
                failures += 1
                log.warning("listening for other replicas' changes failed (%s); retrying in "
                            "%g s", exc, pause)
                self._stop.wait(pause)

    def _on_remote(self, text: str) -> None:
        if text.startswith(self._own):  # this replica's own, heard back: not parsed
            return
        try:
            body = json.loads(text)
        except ValueError:
            log.warning("ignoring a notification on %s that is not JSON: %.80r", CHANNEL, text)
            return
        if not isinstance(body, dict) or body.get("o") == self.origin:
            return
        event = event_from(body, self.store)
        if event is not None:
            self._republish(event)

    def _republish(self, event: ev.Event) -> None:
        self._local.republishing = True
        try:
            self.store.events.publish(event)
        finally:
            self._local.republishing = False

    def _gap(self) -> None:
        """After a reconnect: what was missed is unknown, so the listeners refresh."""
        for listener in list(self._gap_listeners.values()):
            try:
                listener()
            except Exception:
                log.exception("a gap listener failed")

