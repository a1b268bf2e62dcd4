"""`logger.control(...)` and `logger.controls`: values set in the web UI, read by the program.

`control` declares one control on the run (an ordered record, spooled like the rest)
and puts its default into `logger.controls` at once, so the program can read it from
the first step. The flusher polls the run's controls (GetControls) after its cycles, at
most every POLL_EVERY seconds while it has controls, and replaces `logger.controls`
with what the server has; reading it never waits and never fails. A control whose
version grew calls its `on_change(value)` on the flusher thread (a button: once per
press). While the server is away the values stay as they were.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from streamvis import wire_extras
from streamvis.client import Client
from streamvis.logger.batching import Item, Kind, Record
from streamvis.model.controls import ControlValue, check_spec
from streamvis.model.errors import StreamvisError
from streamvis.v1 import service_pb2 as pb

log = logging.getLogger("streamvis.logger")

#: Seconds between two polls of the controls, at the least.
POLL_EVERY = 0.5

OnChange = Callable[[ControlValue], None]


class ControlPoller:
    """What the flusher polls: versions seen and callbacks, by control name."""

    def __init__(self, run: uuid.UUID, rpc_timeout: float) -> None:
        self.run = run
        self.rpc_timeout = rpc_timeout
        self.values: dict[str, ControlValue] = {}
        self.callbacks: dict[str, OnChange] = {}
        self.versions: dict[str, int] = {}
        self._lock = threading.Lock()
        self._last = 0.0

    def poll(self, client: Client) -> None:
        """Fetch the controls and call the callbacks of those that changed (flusher thread)."""
        if not self.values or time.monotonic() - self._last < POLL_EVERY:
            return
        self._last = time.monotonic()
        try:
            controls = client.controls(self.run, min(self.rpc_timeout, 5.0))
        except StreamvisError:
            return  # the run is not created yet, or the server is away: keep what we have
        for c in controls:
            name = c.spec.name
            if name not in self.values:
                continue
            self.values[name] = c.value
            seen = self.versions.get(name, 0)
            self.versions[name] = c.version
            callback = self.callbacks.get(name)
            if callback is not None and c.version > seen:
                try:
                    callback(c.value)
                except Exception:
                    log.exception("streamvis logger: the on_change of control %r failed", name)


class HasControls:
    """The `control` method of DataLogger and AsyncDataLogger (LoggerCore has the state)."""

    disabled: bool
    run_handle: uuid.UUID
    _queue: collections.deque[Item]
    _controls: ControlPoller
    _violation: Callable[[StreamvisError, int], None]  # LoggerCore's

    @property
    def controls(self) -> dict[str, ControlValue]:
        """Control name -> its value now (the default until the UI sets it)."""
        return self._controls.values

    def control(
        self, name: str, kind: str = "button", *, default: Any = None,
        min: float | None = None, max: float | None = None,
        on_change: OnChange | None = None,
    ) -> None:
        """Declare a control the web UI shows on this run: a `button` (its value counts
        presses), a `slider` from `min` to `max`, a `text` box or a `toggle`. Read it as
        `logger.controls[name]`; `on_change(value)` is called on the flusher thread each
        time it is set."""
        if self.disabled:
            return
        try:
            spec = check_spec(name, kind, default, min, max)
        except StreamvisError as exc:
            self._violation(exc, 3)
            return
        self._controls.values[spec.name] = spec.default
        if on_change is not None:
            self._controls.callbacks[spec.name] = on_change
        req = pb.DeclareControlsRequest(run=str(self.run_handle),
                                        controls=[wire_extras.control_spec_to_pb(spec)])
        self._queue.append((None, Record(Kind.DECLARE_CONTROLS, req), 0.0))
