"""The flusher thread: drains the write queue, builds batches, sends them or spools them.

Every `flush_every` seconds, or when woken (a size bound, `flush()`, `stop()`), it
takes everything queued so far — `popleft` on a deque, so writers never take a lock —
and turns it into ordered records (batching.py). Each record is sent at once while the
server answers and nothing is spooled; otherwise it is appended to the spool, so order
is kept: nothing overtakes a spooled record. The spool is resent, oldest first, with
exponential backoff, and each record is deleted only once acknowledged.

A flush barrier in the queue is released when every record before it is done
(acknowledged, or refused for good and reported).
"""

from __future__ import annotations

import collections
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from streamvis.client import Client
from streamvis.logger.batching import Barrier, BatchBuilder, Item, Record
from streamvis.logger.declare import SchemaCache
from streamvis.logger.delivery import is_access_refused, is_transient, send_record
from streamvis.logger.spool import Spool
from streamvis.logger.validate import Prepared, SeriesState
from streamvis.model.errors import StreamvisError

log = logging.getLogger("streamvis.logger")

_BACKOFF_START = 0.2
_BACKOFF_MAX = 2.0
#: Seconds between retries while the server refuses our token: slower than the server's
#: limit on failed attempts (security.FailedAttempts), so retrying never locks us out.
_ACCESS_RETRY = 30.0


def _cost(item: Item) -> int:
    st, payload = item
    if st is None:
        return 0
    if isinstance(payload, Prepared):
        return payload.nbytes
    return st.scalar_cost


class Flusher:
    """Owns the send side of one logger; its methods run on the flusher thread."""

    def __init__(
        self, *, queue: collections.deque[Item], client: Client, builder: BatchBuilder,
        spool: Spool, schema: SchemaCache, flush_every: float, rpc_timeout: float,
        on_drained: Callable[[int], None], on_online: Callable[[], None],
        report: Callable[[str], None],
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
        self.wake = threading.Event()
        self.drained = threading.Event()
        self.stopping = False
        self.offline = False  # the last attempt to reach the server failed
        self.spooled = 0  # records waiting in the spool
        self.next_seq = 1
        self.acked = 0  # seq of the last record that is done
        self.barriers: list[Barrier] = []
        self._backoff = _BACKOFF_START
        self._retry_at = 0.0
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
        self.thread.start()

    def stop(self, timeout: float) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout)

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        if not self.schema.try_refresh(self.client, self.rpc_timeout):
            self.offline = True
        while True:
            wait = self.flush_every
            if self.spooled:
                wait = min(wait, max(0.0, self._retry_at - time.monotonic()))
            self.wake.wait(wait)
            self.wake.clear()
            stopping = self.stopping
            try:
                self._cycle()
            except Exception as exc:
                log.exception("streamvis logger: flush failed")
                self.report(f"flush failed: {exc!r}")
            if stopping and not self.queue:
                return

    def _cycle(self) -> None:
        if self.spooled and time.monotonic() >= self._retry_at:
            self._resend_spool()
        n = len(self.queue)
        pop = self.queue.popleft
        items = [pop() for _ in range(n)]
        cost = sum(_cost(item) for item in items)
        for out in self.builder.build(items):
            if isinstance(out, Barrier):
                out.target = self.next_seq - 1
                self.barriers.append(out)
            else:
                out.seq = self.next_seq
                self.next_seq += 1
                self._deliver(out)
            self._release()
        self.on_drained(cost)
        self.drained.set()
        self._release()

    def _deliver(self, record: Record) -> None:
        if self.spooled:
            self._to_spool(record)
            return
        try:
            send_record(self.client, record, self.rpc_timeout, self._types(record))
        except StreamvisError as exc:
            if is_transient(exc) or is_access_refused(exc):
                self._went_offline(exc)
                self._to_spool(record)
                return
            self._refused(record, exc)
        self._came_online()
        self.acked = record.seq

    def _to_spool(self, record: Record) -> None:
        self.spool.put(record)
        self.spooled += 1

    def _resend_spool(self) -> None:
        for seq, path in self.spool.pending():
            try:
                record = self.spool.load(seq, path)
            except (OSError, ValueError) as exc:
                self.spool.reject(path, f"unreadable record: {exc}")
                self.report(f"spool record {path} is unreadable ({exc}); set aside")
            else:
                try:
                    send_record(self.client, record, self.rpc_timeout, self._types(record))
                except StreamvisError as exc:
                    if is_transient(exc) or is_access_refused(exc):
                        self._went_offline(exc)
                        return
                    self.spool.reject(path, str(exc))
                    self._refused(record, exc)
                else:
                    self.spool.remove(path)
            self.spooled -= 1
            self.acked = seq
            self._came_online()
            self._release()
        self.spooled = 0

    # -- state ---------------------------------------------------------------------------

    def _types(self, record: Record) -> Any:
        return self.schema.types if record.provisional else None

    def _went_offline(self, exc: StreamvisError) -> None:
        if not self.offline:
            log.warning(
                "streamvis logger: %s; spooling to %s and retrying", exc, self.spool.directory
            )
        self.offline = True
        if is_access_refused(exc):
            self._retry_at = time.monotonic() + _ACCESS_RETRY
            return
        self._retry_at = time.monotonic() + self._backoff * random.uniform(0.8, 1.2)  # noqa: S311
        self._backoff = min(self._backoff * 2, _BACKOFF_MAX)

    def _came_online(self) -> None:
        self._backoff = _BACKOFF_START
        if self.offline:
            self.offline = False
            log.info("streamvis logger: server is back; sending the spool")
            self.on_online()

    def _refused(self, record: Record, exc: StreamvisError) -> None:
        what = f"{record.kind.name.lower()}"
        if record.rows:
            what += f" of {record.rows} rows to series {record.message.series!r}"
        self.report(f"the server refused {what}: {exc}")

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
