"""The flusher thread: drains the write queue, builds batches, sends them or spools them.

Every `flush_every` seconds, or when woken (a size bound, `flush()`, `stop()`), it
takes everything queued so far — `popleft` on a deque, so writers never take a lock —
and turns it into ordered records (batching.py), a slice at a time: each slice's bytes
leave the memory bound as soon as that slice is handed off (sent or spooled), so a
writer waiting on the bound waits for one slice, not for the whole cycle. Each record
is sent at once while the server answers and nothing is spooled; otherwise it is
appended to the spool, so order is kept: nothing overtakes a spooled record. The spool
is resent, oldest first, with exponential backoff, and each record is deleted only once
acknowledged.

A flush barrier in the queue is released when every record before it is done
(acknowledged, or refused for good and reported).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import grpc

from streamvis.client import Client, translate_error
from streamvis.logger.batching import SLOT, Barrier, BatchBuilder, Item, Kind, Record
from streamvis.logger.buffers import BUFFERS
from streamvis.logger.declare import SchemaCache
from streamvis.logger.delivery import Delivery, RequestLimit, conform, record_rows, send_record
from streamvis.logger.refusals import Action, classify
from streamvis.logger.spool import Spool
from streamvis.logger.validate import Prepared, SeriesState
from streamvis.logger.waiting import Waiting
from streamvis.model.errors import StreamvisError

log = logging.getLogger("streamvis.logger")

#: The share of a learned request limit that a batch is built to (batching.py counts
#: payload bytes only; the request adds framing).
_BATCH_FILL = 0.8


def _cost(item: Item, states: list[SeriesState]) -> int:
    if type(item) is dict:
        return states[item[SLOT]].scalar_cost
    st, payload, _ = item
    if st is None:
        return 0
    if isinstance(payload, Prepared):
        return payload.nbytes
    return st.scalar_cost


class Flusher(Waiting):
    """Owns the send side of one logger; its methods run on the flusher thread (what
    waits while the server is away: waiting.py)."""

    def __init__(
        self, *, queue: collections.deque[Item], client: Client, builder: BatchBuilder,
        spool: Spool, schema: SchemaCache, flush_every: float, rpc_timeout: float,
        on_drained: Callable[[int], None], on_online: Callable[[], None],
        report: Callable[[str], None], slice_bytes: int = 16 * 1024 * 1024,
        poll: Callable[[Client], None] | None = None,
    ) -> None:
        self.queue = queue
        self.client = client
        self.builder = builder
        self.spool = spool
        self.schema = schema
        self.flush_every = flush_every
        self.rpc_timeout = rpc_timeout
        self.on_drained = on_drained
        self.on_online = on_online
        self.report = report
        #: Bytes (as the memory bound counts them) built and handed off at a time.
        self.slice_bytes = max(1, slice_bytes)
        #: What was handed off, and the seconds it took: the rate the send side keeps up.
        self.sent_bytes = 0
        self.send_seconds = 0.0
        #: Run after each cycle while online: the logger's controls (logger/controls.py).
        self.poll = poll
        self.wake = threading.Event()
        self.drained = threading.Event()
        self.stopping = False
        self._init_waiting()
        self.next_seq = 1
        self.acked = 0  # seq of the last record that is done
        self.barriers: list[Barrier] = []
        self.limit = RequestLimit()
        #: The append sent and not yet answered, settled before the next record goes.
        self.in_flight: tuple[Record, grpc.Future[Any]] | None = None
        self.delivered_rows = 0
        self.thread = threading.Thread(target=self._run, name="streamvis-flusher", daemon=True)

    def start(self) -> None:
        left = self.spool.pending()
        if left:
            # A previous process with this run handle left records: they go first.
            self.spool.open()
            self.spooled = len(left)
            self.next_seq = left[-1][0] + 1
            self.acked = self.next_seq - 1
        self.wake.set()
        BUFFERS.wakers.append(self.wake)
        self.thread.start()

    def stop(self, timeout: float) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout)
        if self.wake in BUFFERS.wakers:
            BUFFERS.wakers.remove(self.wake)

    def finish(self) -> Delivery:
        """After the thread ended: spool what is held in memory, and count the rows."""
        unsaved = 0
        if not self.thread.is_alive():
            self._spool_held()
            unsaved = sum(record_rows(r) for r in self.held)
        spooled = 0
        left = self.spool.pending() if self.spooled else []
        for seq, path in left:
            try:
                spooled += record_rows(self.spool.load(seq, path))
            except (OSError, ValueError):
                continue  # unreadable: `streamvis sync` sets it aside
        return Delivery(
            delivered=self.delivered_rows, spooled=spooled, rejected=self.rejected_rows,
            unsaved=unsaved, spooled_records=len(left), rejected_records=self.rejected_records,
        )

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        if not self.schema.try_refresh(self.client, self.rpc_timeout):
            self.offline = True
        while True:
            wait = self.flush_every
            if self.spooled or self.held:
                wait = min(wait, max(0.0, self._retry_at - time.monotonic()))
            self.wake.wait(wait)
            self.wake.clear()
            stopping = self.stopping
            try:
                BUFFERS.stock()  # first: a write that found no buffer woke it (buffers.py)
                self._cycle()
            except Exception as exc:
                log.exception("streamvis logger: flush failed")
                self.report(f"flush failed: {exc!r}")
                self._settle()
            if self.poll is not None and not self.offline:
                self.poll(self.client)
            if stopping and not self.queue:
                return

    def _cycle(self) -> None:
        if (self.spooled or self.held) and time.monotonic() >= self._retry_at:
            self._resend()
        n = len(self.queue)
        pop = self.queue.popleft
        states = self.builder.states
        limit = min(self.slice_bytes, self.builder.max_batch_bytes)
        while n:
            items: list[Item] = []
            cost = 0
            while n and cost < limit:
                item = pop()
                n -= 1
                items.append(item)
                cost += _cost(item, states)
            self._hand_off(items, cost)
        self._settle()
        self._release()

    def _hand_off(self, items: list[Item], cost: int) -> None:
        """Build and deliver one slice, then release its bytes from the memory bound."""
        start = time.perf_counter()
        try:
            for out in self.builder.build(items):
                if isinstance(out, Barrier):
                    out.target = self.next_seq - 1
                    self.barriers.append(out)
                else:
                    out.seq = self.next_seq
                    self.next_seq += 1
                    self._deliver(out)
                    BUFFERS.stock()  # as between encodings: sending a blob takes a while
                self._release()
        finally:
            # Whatever happened, these items left the queue: a bound never released
            # would make `write` wait forever.
            self.on_drained(cost)
            self.sent_bytes += cost
            self.send_seconds += time.perf_counter() - start
            self.drained.set()

    def _deliver(self, record: Record) -> None:
        self._settle()  # one record in flight at a time: order is kept
        if self.spooled or self.held:
            self._to_spool(record)
            return
        if record.kind is Kind.APPEND and self.limit.nbytes is None:
            # Sent now and settled before the next record goes: the next slice is built
            # while the server stores this one.
            if record.provisional:
                conform(record.message, self.schema.types)
            future = self.client.stub.AppendToSeries.future(
                record.message, timeout=self.rpc_timeout
            )
            self.in_flight = (record, future)
            return
        try:
            self._send(record)
        except StreamvisError as exc:
            self._done(record, exc)
        else:
            self._done(record, None)

    def _settle(self) -> None:
        """Wait for the append in flight, if any, and do what its answer says."""
        if self.in_flight is None:
            return
        record, future = self.in_flight
        self.in_flight = None
        try:
            future.result()
        except grpc.RpcError as rpc_error:
            exc = translate_error(rpc_error, self.client.uri)
            if classify(exc) is Action.SPLIT:  # too large: send it again, in pieces
                try:
                    self._send(record)
                except StreamvisError as again:
                    exc = again
                else:
                    self._done(record, None)
                    return
            self._done(record, exc)
        else:
            self._done(record, None)

    def _done(self, record: Record, exc: StreamvisError | None) -> None:
        """A record was sent: acknowledged (exc None), refused for now (spooled), or
        refused for good (set aside)."""
        if exc is not None:
            if self._passing(exc):
                self._to_spool(record)
                return
            self._reject(record, exc)
        else:
            self.delivered_rows += record_rows(record)
        self._came_online()
        self.acked = record.seq

    def _send(self, record: Record) -> None:
        send_record(self.client, record, self.rpc_timeout, self._types(record), self.limit)
        if self.limit.nbytes is not None:
            # Build later batches to fit, rather than split each one after a refusal.
            fit = int(self.limit.nbytes * _BATCH_FILL)
            self.builder.max_batch_bytes = min(self.builder.max_batch_bytes, fit)

    # -- state ---------------------------------------------------------------------------

    def _types(self, record: Record) -> Any:
        return self.schema.types if record.provisional else None

    def _release(self) -> None:
        if not self.barriers:
            return
        keep = []
        for b in self.barriers:
            if b.target <= self.acked:
                b.done.set()
            else:
                keep.append(b)
        self.barriers = keep


def make_state_invalidator(series: dict[str, SeriesState]) -> Callable[[], None]:
    """Forget provisional series states, so the next write re-checks against the schema."""

    def invalidate() -> None:
        for name, st in list(series.items()):
            if st.provisional:
                series.pop(name, None)

    return invalidate
