"""Process-level duties: flush running loggers at exit, and disarm them in forked children.

A logger left running when the interpreter exits is stopped by an atexit handler, so
what it was given is flushed (or spooled). The flusher thread is a daemon so that it
never keeps a finished program alive; atexit runs before daemon threads are stopped.

A forked child (a DataLoader worker, multiprocessing) gets a copy of every logger but
not its flusher thread, and must not use the parent's gRPC channel or spool: the
after-fork hook turns each copy into a disabled logger whose methods do nothing.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamvis.logger.startstop import StartsAndStops

log = logging.getLogger("streamvis.logger")

#: How long the exit handler waits for each logger's last flush.
EXIT_TIMEOUT = 30.0
OFFLINE_EXIT_TIMEOUT = 1.0

_running: weakref.WeakSet[StartsAndStops] = weakref.WeakSet()
_lock = threading.Lock()
_pid = os.getpid()


def register(core: StartsAndStops) -> None:
    with _lock:
        _running.add(core)


def unregister(core: StartsAndStops) -> None:
    with _lock:
        _running.discard(core)


def _at_exit() -> None:
    if os.getpid() != _pid:
        return
    with _lock:
        cores = list(_running)
    for core in cores:
        flusher = core._flusher  # noqa: SLF001 - same package
        # With the server away, waiting cannot help: stopping spools what is left.
        timeout = OFFLINE_EXIT_TIMEOUT if flusher is not None and flusher.offline \
            else EXIT_TIMEOUT
        try:
            if not core._stop_wait(timeout):  # noqa: SLF001 - same package
                log.warning(
                    "streamvis logger: run %s was not fully acknowledged at exit; what is "
                    "left is in the spool %s (`streamvis sync` sends it)",
                    core.run_handle, core.spool_dir,
                )
        except Exception:
            log.exception("streamvis logger: flush at exit failed")


def _after_fork_in_child() -> None:
    global _pid, _lock  # noqa: PLW0603 - per-process state, reset in the child
    _pid = os.getpid()
    # The parent's lock may have been held by another thread at fork time.
    _lock = threading.Lock()
    for core in list(_running):
        core._after_fork_in_child()  # noqa: SLF001 - same package
    _running.clear()


atexit.register(_at_exit)
os.register_at_fork(after_in_child=_after_fork_in_child)
