"""DataLogger: the logger for ordinary (threaded or single-threaded) programs.

    logger = DataLogger(uri="localhost:8001", flush_every=2.0)
    with logger:
        logger.write("train", step=step, loss=loss)

See docs/logging.md for the guide and core.py for what the methods share with
AsyncDataLogger.
"""

from __future__ import annotations

from types import TracebackType

from streamvis.logger.core import LoggerCore
from streamvis.logger.delivery import Delivery


class DataLogger(LoggerCore):
    """Logs typed, rectangular data to a streamvis server with next to no overhead.

    Arguments: `uri` of the server (default: STREAMVIS_URI or localhost:8001);
    `flush_every` seconds between flushes; `run_handle` to replace the run of that
    handle (None: a new run with a fresh handle) — refused, deleting nothing, while
    another logger is writing to it; `resume=True` with a `run_handle` keeps that run
    and its rows and adds to it (created if absent); `tags` and `attributes` set on the
    run at start (on a resumed run: tags added, a given attribute's value replaces its
    old one); `strict` raises on bad input instead of warning; `spool_dir` is where
    batches wait while the server is away (default ~/.cache/streamvis/spool, under
    XDG_CACHE_HOME when set; a sub-directory per run); `disabled` makes every method a
    no-op. Keyword-only: `max_pending_bytes` bounds unflushed data in memory (past half
    of it a flush starts early, past all of it `write` waits for the flusher);
    `max_batch_bytes` splits larger batches; `rpc_timeout` limits each request;
    `token` authenticates to a server that wants one (default: STREAMVIS_TOKEN);
    `tls=True` or a CA file `tls_ca` (default: STREAMVIS_TLS_CA) connects over TLS.
    Capture (docs/logging.md, "Capture"): `capture=False` (or STREAMVIS_CAPTURE=0)
    records no command, git, environment or console; `console=False` keeps the rest but
    does not tee stdout/stderr; `system_metrics=N` samples CPU, memory, disk, network
    and GPUs every N seconds into the `system` series.
    `infer=True` (opt-in; docs/compat.md) declares a series on its first write: each new
    field's type is inferred from its first value (int, float, bool, string), and a
    later write that disagrees is refused with a message that says so.
    `started_at` (seconds since the epoch) is when the run started, for an importer that
    recreates an older run (default: when the logger starts).
    """

    def start(self) -> DataLogger:
        """Start the flusher and queue the run's creation; returns self."""
        self._start()
        return self

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Send everything written so far; True once the server acknowledged all of it."""
        ok = self._flush_wait(timeout)
        self._surface_errors(stacklevel=2)
        return ok

    def stop(self, timeout: float | None = 30.0) -> Delivery:
        """Flush, wait for the acknowledgement (up to `timeout`), and shut down.

        Returns the rows delivered, spooled and rejected (a Delivery), true exactly when
        every row was delivered. What is left unacknowledged stays in the spool, to be
        sent by `streamvis sync`; what the server refused for good is kept in the spool's
        `rejected/` with the reason. With strict=True, a rejection raises here.
        """
        ok = self._stop_wait(timeout)
        self._surface_errors(stacklevel=2)
        return ok

    def __enter__(self) -> DataLogger:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_wait(30.0)
        # While an exception propagates, a logging problem must not replace it: it was
        # logged when found.
        if exc is None:
            self._surface_errors(stacklevel=2)
