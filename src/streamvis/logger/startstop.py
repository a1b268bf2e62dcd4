"""Starting and stopping a logger: its client and flusher thread, flush barriers, the
end of its writer lease, and the dead copy a forked child gets.

A mixin of LoggerCore (core.py), which holds the state; the public wrappers (start,
flush, stop) are in api.py and aio.py.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from streamvis.client import Client
from streamvis.logger import lifecycle
from streamvis.logger.batching import Barrier, BatchBuilder, Item
from streamvis.logger.controls import ControlPoller
from streamvis.logger.declare import SchemaCache
from streamvis.logger.delivery import Delivery
from streamvis.logger.flusher import Flusher, make_state_invalidator
from streamvis.logger.runinfo import RunInfo
from streamvis.logger.spool import Spool
from streamvis.logger.validate import SeriesState
from streamvis.model.errors import FailedPreconditionError, StreamvisError
from streamvis.v1 import service_pb2 as pb

#: Channel reconnect backoff: gRPC's default grows to two minutes, far longer than a
#: restarted server takes to come back.
_CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
)


class StartsAndStops(RunInfo):
    """`_start`, `_flush_wait` and `_stop_wait` of LoggerCore (which has the state)."""

    uri: str | None
    disabled: bool
    run_handle: uuid.UUID
    writer: uuid.UUID
    spool_dir: Path
    flush_every: float
    max_pending_bytes: int
    max_batch_bytes: int
    rpc_timeout: float
    _connection: dict[str, Any]
    _create: pb.CreateRunRequest
    _series: dict[str, SeriesState]
    _states: list[SeriesState]
    _queue: collections.deque[Item]
    _drained: int
    _started: float
    _running: bool
    _stopped: bool
    _schema: SchemaCache
    _client: Client | None
    _flusher: Flusher | None
    _result: Delivery
    _controls: ControlPoller
    started_at: float | None

    def _start(self) -> None:
        if self.disabled or self._running:
            return
        if self._stopped:
            raise FailedPreconditionError("a stopped logger cannot start again: make a new one")
        self._create.started_at = time.time() if self.started_at is None else self.started_at
        self._client = Client(self.uri, timeout=self.rpc_timeout, options=_CHANNEL_OPTIONS,
                              **self._connection)
        builder = BatchBuilder(str(self.run_handle), self.max_batch_bytes, self._report,
                               str(self.writer), self.spool_dir / "media", states=self._states)
        invalidate = make_state_invalidator(self._series)
        client = self._client

        def on_online() -> None:
            self._schema.try_refresh(client, self.rpc_timeout)
            invalidate()

        self._flusher = Flusher(
            queue=self._queue, client=client, builder=builder, spool=Spool(self.spool_dir),
            schema=self._schema, flush_every=self.flush_every, rpc_timeout=self.rpc_timeout,
            on_drained=self._on_drained, on_online=on_online, report=self._report,
            # A writer past the bound waits for one slice to be handed off, not a cycle.
            slice_bytes=max(1, self.max_pending_bytes // 8), poll=self._controls.poll,
        )
        self._started = time.monotonic()
        self._running = True
        lifecycle.register(self)
        self._flusher.start()
        self._start_run_info()

    def _refresh_schema(self) -> None:
        """Fetch the server's fields once, if not yet (for log_config's types)."""
        flusher = self._flusher
        if self._client is not None and not self._schema.loaded and \
                flusher is not None and not flusher.offline:
            self._schema.try_refresh(self._client, min(self.rpc_timeout, 5.0))

    def _on_drained(self, nbytes: int) -> None:
        self._drained += nbytes

    def _flush_wait(self, timeout: float | None) -> bool:
        """Block until everything queued so far is acknowledged (or refused), or timeout."""
        flusher = self._flusher
        if self.disabled or flusher is None or not flusher.thread.is_alive():
            return not self._queue
        barrier = Barrier(threading.Event())
        self._queue.append((None, barrier, 0.0))
        flusher.wake.set()
        return bool(barrier.done.wait(timeout))

    def _stop_wait(self, timeout: float | None) -> Delivery:
        if self.disabled or not self._running:
            return self._result
        self._stop_run_info()
        self._series.clear()
        self._running = False
        self._stopped = True
        ok = self._flush_wait(timeout)
        flusher = self._flusher
        if flusher is None:
            return self._result
        # An RPC already under way gets its own timeout to finish (or to fail and spool).
        flusher.stop(self.rpc_timeout + 5.0)
        self._result = flusher.finish()
        flusher.spool.close()
        if self._client is not None:
            # The writer lease ends when nothing of this logger waits to be resent (a
            # rejected record is done with: it is kept in rejected/, never resent).
            if ok and not (self._result.spooled_records or self._result.unsaved):
                self._release(self._client)
            self._client.close()
        lifecycle.unregister(self)
        result = self._result
        if result.spooled_records:
            self._report(
                f"{result.spooled_records} record(s) ({result.spooled} rows) could not be "
                f"sent and wait in the spool {self.spool_dir}: send them with "
                f"`streamvis sync {self.spool_dir}`"
            )
        if result.unsaved:
            self._report(
                f"{result.unsaved} row(s) could be neither sent nor spooled (the spool "
                f"{self.spool_dir} could not be written) and are lost"
            )
        return result

    def _release(self, client: Client) -> None:
        """Tell the server this logger is done with its run, so it may be replaced now.

        Best effort: when this fails (an older server has no ReleaseRun, the server went
        away), the lease ends by itself a minute after the last append.
        """
        req = pb.ReleaseRunRequest(handle=str(self.run_handle), writer=str(self.writer))
        with contextlib.suppress(StreamvisError):
            client.call(client.stub.ReleaseRun, req, min(self.rpc_timeout, 5.0))

    def _after_fork_in_child(self) -> None:
        """The child of a fork gets a dead copy: no flusher thread, no channel, no-ops."""
        self.disabled = True
        self._tees.forget()
        self._running = False
        self._series = {}
        self._queue = collections.deque()
        self._flusher = None
        self._client = None
