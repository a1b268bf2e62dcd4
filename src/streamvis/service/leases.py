"""Which loggers are writing which runs: the leases that keep a replace off a live run.

`ReplaceRun` deletes a run's rows. While another logger is still writing to that run,
the replace would delete the rows sent so far, and that logger's later rows would land
in the new run: a run holding the tail of one program and all of another, and nobody
told. So a logger names itself (a `writer` id it makes, a UUID) when it creates, replaces
or resumes its run and in each append; that takes or renews a *lease* on the run. Its
`stop()` ends the lease (ReleaseRun); a logger that died without stopping loses it
`LEASE_SECONDS` after its last request. ReplaceRun is refused (FAILED_PRECONDITION,
nothing deleted) while a writer other than the replacer holds a lease. Resuming is
never refused: loggers that resume a run mean to write it together.

Why leases and not "rows arrived lately": a logger that stopped cleanly has finished,
so its run may be replaced at once, and one that has been quiet for a while (a slow
evaluation loop) is still writing. Clients that name no writer (scripts, the CLI) take
no lease and may replace a run that no logger holds.

The leases live in the server process, not in the store: a restarted server starts
with none, and with several replicas behind one address a replica knows only the
loggers that talk to it (a replace that reaches another replica is not refused).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from streamvis.model.errors import FailedPreconditionError

#: Seconds a lease lasts after its writer's last request, when the writer never ends it.
LEASE_SECONDS = 60.0
#: Leases kept before the expired ones are swept out.
_SWEEP_AT = 4096


class Leases:
    """Run handle -> the writers that hold a lease on it, with when each last spoke."""

    def __init__(self, seconds: float = LEASE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._held: dict[uuid.UUID, dict[uuid.UUID, float]] = {}
        self._lock = threading.Lock()
        self._count = 0
        self._sweep_at = _SWEEP_AT

    def renew(self, run: uuid.UUID, writer: uuid.UUID | None) -> None:
        """Take or renew `writer`'s lease on `run` (no writer: nothing to hold)."""
        if writer is None:
            return
        with self._lock:
            writers = self._held.setdefault(run, {})
            if writer not in writers:
                self._count += 1
            writers[writer] = self._clock()
            if self._count > self._sweep_at:
                self._sweep()

    def release(self, run: uuid.UUID, writer: uuid.UUID) -> None:
        """End `writer`'s lease on `run`, if it holds one."""
        with self._lock:
            writers = self._held.get(run)
            if writers is not None and writers.pop(writer, None) is not None:
                self._count -= 1
                if not writers:
                    del self._held[run]

    def forget(self, run: uuid.UUID) -> None:
        """The run was deleted: whoever wrote it holds nothing now."""
        with self._lock:
            self._count -= len(self._held.pop(run, {}))

    def check_replace(self, run: uuid.UUID, writer: uuid.UUID | None) -> None:
        """Refuse to replace `run` while a writer other than `writer` holds a lease."""
        now = self._clock()
        with self._lock:
            others = [
                now - t for w, t in self._held.get(run, {}).items()
                if w != writer and now - t < self.seconds
            ]
        if not others:
            return
        raise FailedPreconditionError(
            f"run {run} is being written by another logger (its last request came "
            f"{min(others):.1f} s ago), and replacing it would delete its rows: nothing "
            "was deleted. To add to that run, resume it (resume=True); to log it anew, "
            "stop that logger first, or wait until it has sent nothing for "
            f"{self.seconds:g} s (a logger that died), or delete the run "
            "(`streamvis delete-run`)"
        )

    def _sweep(self) -> None:
        cutoff = self._clock() - self.seconds
        held: dict[uuid.UUID, dict[uuid.UUID, float]] = {}
        for run, writers in self._held.items():
            live = {w: t for w, t in writers.items() if t >= cutoff}
            if live:
                held[run] = live
        self._held = held
        self._count = sum(len(w) for w in held.values())
        # Sweep again only once as many more have come: never on every renewal.
        self._sweep_at = max(_SWEEP_AT, 2 * self._count)
