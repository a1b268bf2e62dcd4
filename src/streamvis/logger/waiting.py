"""What waits while the server cannot take it: the spool, records held in memory while
the spool cannot be written (a full disk), the back-off, and records refused for good.

The half of the flusher (flusher.py) that keeps order when sending fails: a record is
spooled, or held, behind the ones already waiting, and the waiting ones are resent
oldest first once the server answers again; each is deleted only once acknowledged.
"""

from __future__ import annotations

import collections
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path

from streamvis.logger.artifacts import describe
from streamvis.logger.batching import Kind, Record
from streamvis.logger.delivery import record_rows
from streamvis.logger.media_send import describe_media
from streamvis.logger.refusals import Action, classify, retry_after
from streamvis.logger.spool import Spool
from streamvis.model.errors import StreamvisError

log = logging.getLogger("streamvis.logger")

_BACKOFF_START = 0.2
_BACKOFF_MAX = 2.0
#: Seconds between retries while the server refuses our token: slower than the server's
#: limit on failed attempts (security.FailedAttempts), so retrying never locks us out.
_ACCESS_RETRY = 30.0


def record_cost(record: Record) -> int:
    """What a record held in memory counts against max_pending_bytes."""
    msg = record.message
    return len(msg) if isinstance(msg, bytes) else int(msg.ByteSize())


class Waiting:
    """The flusher's records that wait, and its state while the server is away."""

    spool: Spool
    spooled: int  # records waiting in the spool
    #: Records that could not be spooled (the disk is full), oldest first; they are
    #: newer than every spooled one, so they go out after the spool.
    held: collections.deque[Record]
    spool_failing: bool
    pressure_warned: bool  # write() said once that it waits on a full disk
    offline: bool  # the last attempt to reach the server failed
    acked: int  # seq of the last record that is done
    delivered_rows: int
    rejected_rows: int
    rejected_records: int
    reasons: set[str]
    on_drained: Callable[[int], None]
    on_online: Callable[[], None]
    report: Callable[[str], None]

    def _init_waiting(self) -> None:
        self.spooled = 0
        self.held = collections.deque()
        self.spool_failing = False
        self.pressure_warned = False
        self.offline = False
        self.rejected_rows = 0
        self.rejected_records = 0
        self.reasons = set()
        self._backoff = _BACKOFF_START
        self._retry_at = 0.0

    def _send(self, record: Record) -> None:
        raise NotImplementedError  # the flusher's: sends one record and waits

    def _release(self) -> None:
        raise NotImplementedError  # the flusher's: releases the barriers now done

    def _passing(self, exc: StreamvisError) -> bool:
        """Whether the refusal passes (refusals.py): if so, note it and back off."""
        if classify(exc) not in (Action.RETRY, Action.ACCESS):
            return False
        self._went_offline(exc)
        return True

    def _to_spool(self, record: Record) -> None:
        """Queue the record behind the waiting ones: on disk, or in memory while the
        spool cannot be written (a full disk), counted in the memory bound."""
        if not self.held:
            try:
                self.spool.put(record)
            except OSError as exc:
                self._spool_failed(exc)
            else:
                self.spooled += 1
                return
        self.held.append(record)
        self.on_drained(-record_cost(record))

    def _spool_failed(self, exc: OSError) -> None:
        if not self.spool_failing:
            log.warning(
                "streamvis logger: cannot write the spool %s (%s): keeping records in "
                "memory (up to max_pending_bytes) and retrying", self.spool.directory, exc,
            )
            self.spool_failing = True
        if not self.offline:
            self._went_offline(exc)

    def _resend(self) -> None:
        """Send what waits, oldest first: the spool, then what is held in memory; move
        what is still held to the spool once it can be written."""
        if self.spooled and not self._resend_spool():
            self._spool_held()
            return
        while self.held:
            record = self.held[0]
            try:
                self._send(record)
            except StreamvisError as exc:
                if self._passing(exc):
                    self._spool_held()
                    return
                self._reject(record, exc)
            else:
                self.delivered_rows += record_rows(record)
            self.held.popleft()
            self.on_drained(record_cost(record))
            self.acked = record.seq
            self._came_online()
            self._release()
        self.pressure_warned = False

    def _spool_held(self) -> None:
        while self.held:
            record = self.held[0]
            try:
                self.spool.put(record)
            except OSError as exc:
                self._spool_failed(exc)
                return
            self.held.popleft()
            self.spooled += 1
            self.on_drained(record_cost(record))
        self.pressure_warned = False
        if self.spool_failing:
            self.spool_failing = False
            log.info("streamvis logger: the spool can be written again")

    def _resend_spool(self) -> bool:
        """Send the spool in order; False if it stopped at a passing refusal."""
        for seq, path in self.spool.pending():
            try:
                record = self.spool.load(seq, path)
            except (OSError, ValueError) as exc:
                self.spool.reject(path, f"unreadable record: {exc}")
                self.report(f"spool record {path} is unreadable ({exc}); set aside")
            else:
                try:
                    self._send(record)
                except StreamvisError as exc:
                    if self._passing(exc):
                        return False
                    self._reject(record, exc, path)
                else:
                    self.delivered_rows += record_rows(record)
                    self.spool.remove(path)
            self.spooled -= 1
            self.acked = seq
            self._came_online()
            self._release()
        self.spooled = 0
        return True

    def _went_offline(self, exc: Exception) -> None:
        if not self.offline and isinstance(exc, StreamvisError):
            log.warning(
                "streamvis logger: %s; spooling to %s and retrying", exc, self.spool.directory
            )
        self.offline = True
        if isinstance(exc, StreamvisError) and classify(exc) is Action.ACCESS:
            self._retry_at = time.monotonic() + _ACCESS_RETRY
            return
        delay = self._backoff * random.uniform(0.8, 1.2)  # noqa: S311
        self._backoff = min(self._backoff * 2, _BACKOFF_MAX)
        # A lockout says when it ends: retrying sooner is refused again, and counted.
        wait = retry_after(exc) if isinstance(exc, StreamvisError) else None
        self._retry_at = time.monotonic() + max(delay, wait or 0.0)

    def _came_online(self) -> None:
        self._backoff = _BACKOFF_START
        if self.offline:
            self.offline = False
            log.info("streamvis logger: server is back; sending the spool")
            self.on_online()

    def _reject(self, record: Record, exc: StreamvisError, path: Path | None = None) -> None:
        """A refusal for good: set the record aside in `rejected/` with the reason,
        count it, and report each reason once."""
        rows = record_rows(record)
        self.rejected_rows += rows
        self.rejected_records += 1
        reason = f"{exc.code}: {exc}"
        try:
            if path is not None:
                self.spool.reject(path, reason)
            else:
                self.spool.reject_record(record, reason)
        except OSError as err:
            log.warning("streamvis logger: cannot keep a rejected record in %s: %s",
                        self.spool.directory / "rejected", err)
        if reason in self.reasons:
            return
        self.reasons.add(reason)
        what = f"{record.kind.name.lower()}"
        if record.kind is Kind.SAVE_ARTIFACT:
            what = describe(record.message)
        if record.kind is Kind.PUT_MEDIA:
            what = describe_media(record.message)
        if rows:
            what += f" of {rows} rows to series {record.message.series!r}"
        self.report(
            f"the server refused {what}: {exc} (kept in {self.spool.directory / 'rejected'};"
            " further records refused for the same reason are kept there too)"
        )
