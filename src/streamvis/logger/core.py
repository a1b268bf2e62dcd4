"""What the sync and async loggers share: the write fast path and the ordered queue.

`write` is the hot path of every user program, so it is written for CPython's
interpreter: one dict lookup for the series' precomputed state, one `type(v) in set`
per field, one deque append (thread-safe without a lock) and two integer updates for
the memory bound. A write of numpy images (or videos) of the form the field's last one
had, beside scalars, takes a second fast path (validate.prepare_arrays: no checks but
the types, shapes and dtypes, and the copy). Everything else — tensors, numpy, lists,
mistakes, a series seen for the first time — takes `_write_slow`.

Every other operation (run creation, tags, attributes, declarations, flush barriers)
goes into the same queue as the writes, so the server applies them in program order,
and they are spooled with the data when the server is away.
"""

from __future__ import annotations

import collections
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from streamvis import wire
from streamvis.client import Client
from streamvis.logger import lifecycle
from streamvis.logger.artifacts import SavesArtifacts
from streamvis.logger.batching import SLOT, WHEN, Item, Kind, Record
from streamvis.logger.controls import ControlPoller, HasControls
from streamvis.logger.declare import (
    FieldDecl,
    SchemaCache,
    SeriesDecl,
    build_declaration,
    declaration_json,
)
from streamvis.logger.delivery import Delivery
from streamvis.logger.flusher import Flusher
from streamvis.logger.images import LogsImages
from streamvis.logger.infer import hint, infer_declaration
from streamvis.logger.spool import default_spool_root
from streamvis.logger.startstop import StartsAndStops
from streamvis.logger.validate import SeriesState, given_time, prepare, prepare_arrays
from streamvis.logger.written import WRITTEN, Written
from streamvis.model.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    LoggerWarning,
    NotFoundError,
    StreamvisError,
)
from streamvis.model.schema import Field, coerce_value, parse_handle, validate_name
from streamvis.model.wallclock import TIME
from streamvis.v1 import service_pb2 as pb

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
#: Each write is stamped with its wall-clock time as it is queued (model/wallclock.py):
#: one clock read a call, bound here so the fast path pays no attribute lookup.
_clock = time.time
#: How long a series found missing on the server is not looked up again.
_MISSING_TTL = 2.0


class LoggerCore(StartsAndStops, SavesArtifacts, HasControls, LogsImages):
    """State and operations common to DataLogger and AsyncDataLogger."""

    def __init__(
        self,
        uri: str | None = None,
        *,
        flush_every: float = 2.0,
        run_handle: uuid.UUID | str | None = None,
        resume: bool = False,
        tags: Sequence[str] = (),
        attributes: Mapping[str, Any] | None = None,
        strict: bool = False,
        spool_dir: str | Path | None = None,
        disabled: bool = False,
        max_pending_bytes: int = 64 * 1024 * 1024,
        max_batch_bytes: int = 16 * 1024 * 1024,
        rpc_timeout: float = 30.0,
        token: str | None = None,
        tls: bool | None = None,
        tls_ca: str | Path | None = None,
        capture: bool = True,
        console: bool = True,
        system_metrics: float | None = None,
        infer: bool = False,
        started_at: float | None = None,
    ) -> None:
        self.uri = uri
        #: When the run started (seconds since the epoch); None: when the logger starts.
        #: An importer gives the original run's (cli import-mlflow).
        self.started_at = started_at
        #: Opt-in: a write to an unknown series declares it from its values (infer.py).
        self.infer = infer
        self._inferred: set[str] = set()
        # Connection settings (streamvis.connection): else STREAMVIS_TOKEN / _TLS_CA.
        self._connection: dict[str, Any] = {"token": token, "tls": tls, "tls_ca": tls_ca}
        self.flush_every = float(flush_every)
        self.strict = strict
        self.disabled = disabled
        if resume and run_handle is None:
            raise InvalidArgumentError(
                "resume=True needs the run_handle of the run to resume: give its UUID "
                "(logger.run_handle of the run you logged before)"
            )
        # A handle alone replaces its run; with resume=True the run is kept and added to.
        self.resume = bool(resume)
        self.replace = run_handle is not None and not self.resume
        self.run_handle = (
            run_handle if isinstance(run_handle, uuid.UUID)
            else parse_handle(run_handle) if run_handle is not None else uuid.uuid4()
        )
        #: This logger's id on the server: it holds a lease on the run while it writes,
        #: which keeps another logger from replacing the run under it (service/leases.py).
        self.writer = uuid.uuid4()
        self.spool_dir = Path(spool_dir or default_spool_root()) / str(self.run_handle)
        self.max_pending_bytes = max_pending_bytes
        self.max_batch_bytes = max_batch_bytes
        self.rpc_timeout = rpc_timeout
        # The hot-path state. `_series` stays empty until start(), so writes before
        # start (or after stop) fall through to the slow path, which says why.
        self._series: dict[str, SeriesState] = {}
        #: Every series state this logger made, by slot (SeriesState.slot): a queued
        #: scalar write names its state by slot (see write).
        self._states: list[SeriesState] = []
        self._queue: collections.deque[Item] = collections.deque()
        self._written = 0  # bytes queued, by writers
        self._drained = 0  # bytes taken by the flusher, by the flusher only
        self._soft_bytes = max_pending_bytes // 2
        self._started = 0.0  # time.monotonic() at start: the writers' rate is since then
        self._slow_warned = False  # write() said once that the server cannot keep up
        self._running = False
        self._stopped = False
        self._schema = SchemaCache()
        self._missing: dict[str, float] = {}
        self._errors: collections.deque[str] = collections.deque()
        self._client: Client | None = None
        self._flusher: Flusher | None = None
        self._result = Delivery()
        self._init_run_info(capture, console, system_metrics)
        self._controls = ControlPoller(self.run_handle, rpc_timeout)
        if disabled:
            return
        tags = tuple(validate_name("tag", t) for t in tags)
        # started_at is set client-side (at start), so a run created late — the server
        # was away — still says when the program started.
        self._create = pb.CreateRunRequest(
            handle=str(self.run_handle), tags=tags, resume=self.resume, writer=str(self.writer)
        )
        kind = Kind.REPLACE_RUN if self.replace else Kind.CREATE_RUN
        self._queue.append((None, Record(kind, self._create), 0.0))
        if attributes:
            self._enqueue_attributes(dict(attributes), stacklevel=3)

    # -- the hot path ------------------------------------------------------------------

    def write(self, series: str, /, **values: Any) -> Written:
        """Log one write to `series`: every field once; scalars, lists, numpy, torch or jax.

        Checked now (series, field set, types, broadcasting): a violation warns and drops
        the write (raises with strict=True). Never copies device memory to the host and
        never waits for the device; what is logged is the value as it is now. Returns
        WRITTEN, an awaitable already done, so `await logger.write(...)` works too.
        Each row's wall-clock time (`_time`) is when write was called, unless the write
        gives `_time=` itself: seconds since the epoch, one for the write or an array
        broadcast to its rows (for importers of older data; validate.given_time).
        """
        st = self._series.get(series)
        if st is not None and len(values) == st.n:
            if st.arrays:  # an image (or video) a step, as the field's last one
                # (a media field takes no Python scalar: the loop below would not pass)
                prepared = prepare_arrays(st, values)
                if prepared is not None:
                    self._enqueue((st, prepared, _clock()), prepared.nbytes)
                    return WRITTEN
            else:
                for name, ok in st.checks:
                    if type(values.get(name)) not in ok:
                        break
                else:
                    for name in st.int_fields:
                        if not _INT64_MIN <= values[name] <= _INT64_MAX:
                            break
                    else:
                        # Queued as its own dict, its state's slot and time added under
                        # int keys: a dict of numbers and strings is one the garbage
                        # collector does not track, where a tuple holding the state
                        # was, and a full collection then scanned every queued write
                        # (22-34 ms for 50,000; decision 0054).
                        queued: dict[Any, Any] = values
                        queued[SLOT] = st.slot
                        queued[WHEN] = _clock()
                        self._enqueue(queued, st.scalar_cost)
                        return WRITTEN
        self._write_slow(series, values)
        return WRITTEN

    def pair_writer(self, series: str, first: str, second: str) -> Callable[[Any, Any], bool]:
        """`put(a, b)`: `write(series, **{first: a, second: b})` at less than write's cost.

        For the drop-ins' hot calls (tensorboard.py's `add_scalar`): two Python scalars
        of the types the series' two fields take are queued as `write` queues them, with
        no keyword dict to build and unpack and no loop over the fields, and put returns
        True. Anything else — another type, an int beyond 64 bits, a series not known
        yet or of other fields, a logger not running — queues nothing and returns
        False: the caller then calls `write`, which converts, declares or refuses it.
        """
        cached: SeriesState | None = None
        ok_a: frozenset[type] = frozenset()
        ok_b: frozenset[type] = frozenset()
        int_a = int_b = False
        lo, hi, clock = _INT64_MIN, _INT64_MAX, _clock

        def put(a: Any, b: Any) -> bool:
            nonlocal cached, ok_a, ok_b, int_a, int_b
            st = self._series.get(series)
            if st is not cached:
                # Once per series state (start, a schema refresh): which types go where.
                if st is None or st.n != 2 or first not in st.types or second not in st.types:
                    return False
                checks = dict(st.checks)
                cached, ok_a, ok_b = st, checks[first], checks[second]
                int_a, int_b = first in st.int_fields, second in st.int_fields
            if type(a) not in ok_a or type(b) not in ok_b or \
                    (int_a and not lo <= a <= hi) or (int_b and not lo <= b <= hi):
                return False
            self._enqueue({first: a, second: b, SLOT: st.slot,  # type: ignore[union-attr]
                           WHEN: clock()}, st.scalar_cost)  # type: ignore[union-attr]
            return True

        return put

    def _write_slow(self, series: str, values: dict[str, Any]) -> None:
        if self.disabled or self._paused:
            return
        try:
            if not self._running:
                raise FailedPreconditionError(
                    "the logger is stopped: this write is dropped" if self._stopped else
                    "the logger is not started: call start() or use it in a `with` block"
                )
            given = values.pop(TIME, None) if TIME in values else None
            st = self._series.get(series) or self._state_for(series, values)
            item: Item
            if st.accepts_scalars(values):
                queued: dict[Any, Any] = values  # as write queues it: see there
                queued[SLOT] = st.slot
                queued[WHEN] = _clock() if given is None else given_time(series, given, ())
                item, cost = queued, st.scalar_cost
            else:
                prepared = prepare(st, values)
                when = _clock() if given is None else given_time(series, given, prepared.shape)
                item, cost = (st, prepared, when), prepared.nbytes
        except StreamvisError as exc:
            self._violation(hint(series, exc) if series in self._inferred else exc,
                            stacklevel=4)
            return
        self._enqueue(item, cost)

    def _enqueue(self, item: Item, cost: int) -> None:
        """Queue one write and count it against the memory bound: every write path's one
        way in (past half the bound the flusher is woken, past the bound write waits)."""
        self._queue.append(item)
        self._written += cost
        if self._written - self._drained > self._soft_bytes:
            self._pressure()

    def _state_for(self, series: str, values: dict[str, Any]) -> SeriesState:
        known = self._schema.lookup(series)
        flusher = self._flusher
        offline = flusher is None or flusher.offline
        if known is None and not offline and self._client is not None and \
                time.monotonic() - self._missing.get(series, -1e9) > _MISSING_TTL:
            if not self._schema.try_refresh(self._client, min(self.rpc_timeout, 5.0)):
                offline = True
            known = self._schema.lookup(series)
        if known is None and self.infer:
            fields, decl = infer_declaration(series, values, self._schema.types)
            self.declare(fields, decl)
            self._inferred.add(series)
            known = self._schema.lookup(series)
        if known is not None:
            st = SeriesState.build(series, known[0], known[1],
                                   options={f: self._schema.options[f] for f in known[0]
                                            if f in self._schema.options})
        elif offline:
            # Nothing to check against yet: accept what the write implies; the batches
            # are conformed to the real types once the server is back.
            st = SeriesState.infer(series, values)
        else:
            self._missing[series] = time.monotonic()
            raise NotFoundError(
                f"series {series!r} does not exist on the server: declare it (logger.declare,"
                " streamvis.declare_schema, or `streamvis apply`)"
            )
        st.slot = len(self._states)
        self._states.append(st)
        self._series[series] = st
        return st

    def _pressure(self) -> None:
        """Past half the memory bound, flush early; past the bound, wait for the flusher."""
        flusher = self._flusher
        if flusher is None:
            return
        flusher.wake.set()
        if threading.current_thread() is flusher.thread:
            return
        while self._written - self._drained > self.max_pending_bytes and \
                flusher.thread.is_alive() and not flusher.stopping:
            if flusher.held and not flusher.pressure_warned:
                # Memory and the spool's disk are both full: waiting is all that is left.
                flusher.pressure_warned = True
                lifecycle.log.warning(
                    "streamvis logger: the server is away and the spool %s cannot be "
                    "written (disk full?): write() waits until either frees "
                    "(max_pending_bytes=%d)", flusher.spool.directory, self.max_pending_bytes,
                )
            elif not self._slow_warned and flusher.sent_bytes and not (
                    flusher.held or flusher.offline or flusher.spooled or flusher.spool_failing):
                # The server is up and answers, only more slowly than we write.
                self._slow_warned = True
                self._warn_slow(flusher)
            flusher.drained.clear()
            flusher.wake.set()
            flusher.drained.wait(0.05)

    def _warn_slow(self, flusher: Flusher) -> None:
        """Say once, with the rates, that write() waits because sending cannot keep up."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        written = self._written / elapsed / 1e6
        sent = flusher.sent_bytes / max(flusher.send_seconds, 1e-9) / 1e6
        warnings.warn(
            f"the server takes data more slowly than this program writes it (written "
            f"{written:.1f} MB/s, sent {sent:.1f} MB/s): write() waits while more than "
            f"max_pending_bytes={self.max_pending_bytes} are unsent; write less often, "
            "log smaller arrays, or give the server a faster disk (said once per logger)",
            LoggerWarning, stacklevel=4,
        )

    # -- ordered operations ----------------------------------------------------------

    def set_attributes(self, **attributes: Any) -> None:
        """Set run attributes (one value per field for the whole run); later calls win."""
        if self.disabled or self._paused:
            return
        self._enqueue_attributes(attributes, stacklevel=3)

    def _enqueue_attributes(self, attributes: dict[str, Any], stacklevel: int) -> None:
        good: dict[str, Any] = {}
        for name, value in attributes.items():
            v = value.item() if isinstance(value, np.generic) else value
            try:
                ftype = self._schema.types.get(name)
                if ftype is not None:
                    v = coerce_value(Field(uuid.UUID(int=0), name, ftype), v)
                good[name] = wire.value_to_pb(v)
            except StreamvisError as exc:
                self._violation(StreamvisError(f"attribute {name!r} dropped: {exc}"),
                                stacklevel + 1)
        if good:
            req = pb.SetRunAttributesRequest(handle=str(self.run_handle), attributes=good)
            self._queue.append((None, Record(Kind.SET_ATTRIBUTES, req), 0.0))

    def add_tags(self, *tags: str) -> None:
        """Add tags to the run (idempotent)."""
        if self.disabled or self._paused:
            return
        for tag in tags:
            try:
                validate_name("tag", tag)
            except StreamvisError as exc:
                self._violation(exc, stacklevel=3)
                continue
            req = pb.RunTagRequest(handle=str(self.run_handle), tag=tag)
            self._queue.append((None, Record(Kind.ADD_TAG, req), 0.0))

    def declare(
        self, fields: Mapping[str, FieldDecl] | None = None,
        series: Mapping[str, SeriesDecl] | None = None,
    ) -> None:
        """Declare fields and series (idempotent), in order with everything else.

        Writes are checked against the declared types at once, even while the server
        is away; the server applies the declaration before anything logged after it.
        """
        if self.disabled:
            return
        try:
            decl = build_declaration(fields or {}, series or {})
        except StreamvisError as exc:
            self._violation(exc, stacklevel=3)
            return
        self._schema.merge(decl)
        self._queue.append((None, Record(Kind.DECLARE, declaration_json(decl)), 0.0))

    # -- reporting ---------------------------------------------------------------------

    def _violation(self, exc: StreamvisError, stacklevel: int) -> None:
        if self.strict:
            raise exc
        warnings.warn(str(exc), LoggerWarning, stacklevel=stacklevel)

    def _report(self, message: str) -> None:
        """A problem found off the caller's thread: logged now, surfaced at flush/stop."""
        lifecycle.log.warning("streamvis logger: %s", message)
        self._errors.append(message)

    def _surface_errors(self, stacklevel: int) -> None:
        if not self._errors:
            return
        messages = []
        while self._errors:
            messages.append(self._errors.popleft())
        text = messages[0] if len(messages) == 1 else (
            f"{len(messages)} logging problems: " + "; ".join(messages)
        )
        self._violation(StreamvisError(text), stacklevel + 1)
