"""Copying SQLite's WAL into the database beside the writers, not inside their commits.

With SQLite's own automatic checkpoint, the commit that takes the WAL past 1,000 pages
also copies every page into the database and syncs it: an 8 MB append paid its bytes
twice, in its own COMMIT (decision 0028, dated section 2026-12-03 b). Here the commit
only appends to the WAL and syncs it (synchronous=FULL: an acknowledged row survives a
crash or power loss either way); a thread of the store's own runs a PASSIVE checkpoint
after commits, which never blocks a writer or a reader. A commit that finds a
checkpoint running wakes it again, so checkpoints coalesce under a stream of commits.
Like SQLite's own, it copies only once CHECKPOINT_BYTES wait in the WAL: it reads how
many from the WAL index (the -shm file, whose header layout SQLite documents in "WAL-mode
File Format"), so a stream of small commits does not sync the database after each.

SQLite's automatic checkpoint stays on, at WAL_BACKSTOP_BYTES, for a process whose
checkpoints cannot keep up or that writes without this thread (it then runs in that
commit, as before).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("streamvis.store")

#: Bytes the WAL may hold unchecked before a commit checkpoints by itself, where this
#: thread is late or absent.
WAL_BACKSTOP_BYTES = 64 << 20
#: Bytes waiting in the WAL before this thread copies them: SQLite's own default of
#: 1,000 pages, at the 4 KiB pages of stores made before decision 0060.
CHECKPOINT_BYTES = 1_000 * 4096


def in_pages(size: int, page_size: int) -> int:
    """`size` bytes as whole pages of the database's `page_size` (at least one)."""
    return max(size // page_size, 1)


#: In the WAL index: the first header copy's mxFrame (frames in the WAL), and the
#: checkpoint info's nBackfill (frames already copied), in the host's byte order.
_MX_FRAME = 16
_BACKFILL = 96
_U32 = struct.Struct("<I" if sys.byteorder == "little" else ">I")


def unchecked_pages(wal_index: Path) -> int | None:
    """Frames in the WAL not yet copied into the database; None if unreadable."""
    try:
        with wal_index.open("rb") as f:
            head = f.read(_BACKFILL + 4)
    except OSError:
        return None
    if len(head) < _BACKFILL + 4:
        return None
    return int(_U32.unpack_from(head, _MX_FRAME)[0]) - int(_U32.unpack_from(head, _BACKFILL)[0])


class Checkpointer:
    """One thread that runs `PRAGMA wal_checkpoint(PASSIVE)` when a commit asks."""

    def __init__(
        self, connect: Callable[[], sqlite3.Connection], database: Path, pages: int,
    ) -> None:
        """`pages`: frames waiting in the WAL before a checkpoint runs (the store gives
        CHECKPOINT_BYTES `in_pages` of its database's page size)."""
        self._connect = connect
        self._wal_index = Path(os.fspath(database) + "-shm")
        self._pages = pages
        self._wake = threading.Condition()
        self._asked = False
        self._running = False
        self._closing = False
        self._thread: threading.Thread | None = None
        #: Checkpoints run (for tests and benchmarks).
        self.runs = 0

    def after_commit(self) -> None:
        """Called after each write commit: start (or queue) one checkpoint."""
        with self._wake:
            if self._closing:
                return
            self._asked = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="streamvis-checkpoint", daemon=True
                )
                self._thread.start()
            self._wake.notify_all()

    def settle(self) -> None:
        """Wait until every checkpoint asked for so far has run (tests, benchmarks)."""
        with self._wake:
            while (self._asked or self._running) and self._thread is not None \
                    and self._thread.is_alive():
                self._wake.wait()

    def close(self) -> None:
        """Stop the thread after the checkpoint it runs, if any."""
        with self._wake:
            self._closing = True
            thread = self._thread
            self._wake.notify_all()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                with self._wake:
                    while not self._asked and not self._closing:
                        self._wake.wait()
                    if self._closing:
                        return
                    self._asked = False
                    self._running = True
                waiting = unchecked_pages(self._wal_index)
                try:
                    # Like SQLite's own: a few pages are not worth a sync of the database.
                    if waiting is None or waiting >= self._pages:
                        if conn is None:
                            conn = self._connect()
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
                        self.runs += 1
                except sqlite3.Error as exc:
                    # The backstop checkpoint still runs in commits: nothing is lost.
                    log.warning("streamvis store: background WAL checkpoint failed: %s", exc)
                with self._wake:
                    self._running = False
                    self._wake.notify_all()
        finally:
            if conn is not None:
                conn.close()
