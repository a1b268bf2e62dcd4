"""The on-disk spool: records the server could not take yet, durable one by one.

A logger spools into `<root>/<run handle>/`, where root is `spool_dir`, or by default
`$XDG_CACHE_HOME/streamvis/spool` (`~/.cache/streamvis/spool` when XDG_CACHE_HOME is
unset). Each record is one file, `<seq>.rec`, named by its place in the run's order.
A record is written to a temporary file, fsync'ed, renamed into place and the directory
fsync'ed, so after a crash a record is either whole or absent. A record is deleted only
after the server acknowledged it; one whose acknowledgement was lost is simply resent
(every record kind is safe to resend, see delivery.py).

A process holds an exclusive lock (flock) on a run's spool while it uses it, so
`streamvis sync` never sends a spool that a live logger is still sending.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Any

from streamvis.client import Client
from streamvis.logger.batching import RAW_KINDS, Kind, Record
from streamvis.logger.delivery import (
    Delivery,
    RequestLimit,
    fetch_types,
    record_rows,
    send_record,
)
from streamvis.logger.media_send import make_durable
from streamvis.logger.refusals import Action, classify
from streamvis.model.errors import FailedPreconditionError, StreamvisError
from streamvis.v1 import service_pb2 as pb

log = logging.getLogger("streamvis.logger")

_MAGIC = b"SVSPOOL1"
_SUFFIX = ".rec"
_MESSAGES: dict[Kind, Any] = {
    Kind.CREATE_RUN: pb.CreateRunRequest,
    Kind.REPLACE_RUN: pb.CreateRunRequest,
    Kind.SET_ATTRIBUTES: pb.SetRunAttributesRequest,
    Kind.ADD_TAG: pb.RunTagRequest,
    Kind.APPEND: pb.AppendToSeriesRequest,
    Kind.DECLARE_CONTROLS: pb.DeclareControlsRequest,
}


def default_spool_root() -> Path:
    """`$XDG_CACHE_HOME/streamvis/spool`, or `~/.cache/streamvis/spool`."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "streamvis" / "spool"


def encode(record: Record) -> bytes:
    msg = record.message
    payload: bytes = msg if record.kind in RAW_KINDS else msg.SerializeToString()
    return _MAGIC + bytes([record.kind, int(record.provisional)]) + payload


def decode(data: bytes, seq: int) -> Record:
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 2:
        raise ValueError("not a streamvis spool record")
    kind = Kind(data[len(_MAGIC)])
    provisional = bool(data[len(_MAGIC) + 1])
    payload = data[len(_MAGIC) + 2:]
    message: object = payload if kind in RAW_KINDS else _MESSAGES[kind].FromString(payload)
    return Record(kind, message, provisional=provisional, seq=seq)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """One run's spool directory, locked by this process while open."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock: IO[bytes] | None = None

    def open(self) -> None:
        """Create the directory if need be and take its lock; raise if another holds it."""
        if self._lock is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        lock = (self.directory / ".lock").open("ab")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise FailedPreconditionError(
                f"spool {self.directory} is in use by another process (a running logger or "
                "`streamvis sync`): wait for it to finish"
            ) from None
        self._lock = lock

    def close(self) -> None:
        """Release the lock; remove the directory if nothing is left in it."""
        if self._lock is None:
            self._remove_if_empty()  # artifacts may have been saved without spooling
            return
        if not self.pending():
            for leftover in (self.directory / ".lock",):
                leftover.unlink(missing_ok=True)
            self._remove_if_empty()
        self._lock.close()
        self._lock = None

    def _remove_if_empty(self) -> None:
        # rmdir removes only empty directories: a file left in either stays, with them.
        for directory in (self.directory / "artifacts", self.directory):  # artifacts.py's
            with contextlib.suppress(OSError):
                directory.rmdir()

    def pending(self) -> list[tuple[int, Path]]:
        """(seq, path) of every record, in order."""
        if not self.directory.is_dir():
            return []
        return sorted(
            (int(p.stem), p) for p in self.directory.iterdir()
            if p.suffix == _SUFFIX and p.stem.isdigit()
        )

    def put(self, record: Record) -> None:
        self.open()
        if record.kind is Kind.PUT_MEDIA:
            make_durable(record.message)  # the blob it names, before the record itself
        final = self.directory / f"{record.seq:020d}{_SUFFIX}"
        tmp = self.directory / f".{record.seq:020d}.tmp"
        try:
            with tmp.open("wb") as f:
                f.write(encode(record))
                f.flush()
                os.fsync(f.fileno())
            tmp.replace(final)
        except OSError:
            # A full disk: leave no partial file behind to take what space is left.
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(self.directory)

    def load(self, seq: int, path: Path) -> Record:
        return decode(path.read_bytes(), seq)

    def remove(self, path: Path) -> None:
        # No directory fsync: a removal lost to a crash only means one resend, which the
        # server recognises as a duplicate.
        path.unlink(missing_ok=True)

    def reject(self, path: Path, reason: str) -> None:
        """Keep a record the server refused for good, with why, out of the send order."""
        rejected = self.directory / "rejected"
        rejected.mkdir(parents=True, exist_ok=True)
        path.replace(rejected / path.name)
        (rejected / f"{path.name}.error.txt").write_text(reason + "\n", encoding="utf-8")

    def reject_record(self, record: Record, reason: str) -> None:
        """`reject` for a record refused before it was ever spooled."""
        rejected = self.directory / "rejected"
        rejected.mkdir(parents=True, exist_ok=True)
        name = f"{record.seq:020d}{_SUFFIX}"
        (rejected / name).write_bytes(encode(record))
        (rejected / f"{name}.error.txt").write_text(reason + "\n", encoding="utf-8")


def _spool_dirs(root: Path) -> list[Path]:
    if any(p.suffix == _SUFFIX for p in root.iterdir()):
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir())


def sync_spool(
    spool_dir: str | os.PathLike[str] | None = None, uri: str | None = None, *,
    token: str | None = None, tls: bool | None = None,
    tls_ca: str | os.PathLike[str] | None = None,
) -> int:
    """Send the records a logger left in its spool, in order; return how many were sent.

    `spool_dir` is one run's spool, or a root holding several (default: the default
    spool root). Spools that a live logger holds are skipped. Raises UnavailableError if
    the server cannot be reached (what was sent so far stays sent). A record the server
    refuses for good is moved to `rejected/` beside it, with the reason, and logged.
    `token`, `tls` and `tls_ca` are as for `Client` (else the environment).
    `sync_spool_counts` says the same in rows.
    """
    return sync_spool_counts(spool_dir, uri, token=token, tls=tls, tls_ca=tls_ca).sent


def sync_spool_counts(
    spool_dir: str | os.PathLike[str] | None = None, uri: str | None = None, *,
    token: str | None = None, tls: bool | None = None,
    tls_ca: str | os.PathLike[str] | None = None,
) -> Delivery:
    """`sync_spool`, returning rows delivered / rejected and records sent."""
    root = Path(spool_dir) if spool_dir is not None else default_spool_root()
    if not root.is_dir():
        if spool_dir is not None:
            raise FailedPreconditionError(f"spool directory {root} does not exist")
        return Delivery()
    counts = Delivery()
    limit = RequestLimit()
    with Client(uri, token=token, tls=tls, tls_ca=tls_ca) as client:
        types = None
        for directory in _spool_dirs(root):
            spool = Spool(directory)
            try:
                spool.open()
            except FailedPreconditionError as exc:
                if directory == root:
                    raise
                log.warning("skipping %s", exc)
                continue
            try:
                for seq, path in spool.pending():
                    try:
                        record = spool.load(seq, path)
                    except (OSError, ValueError) as exc:
                        spool.reject(path, f"unreadable record: {exc}")
                        log.warning("spool record %s is unreadable (%s): set aside", path, exc)
                        continue
                    if types is None and record.provisional:
                        types = fetch_types(client, client.timeout)
                    try:
                        send_record(client, record, client.timeout, types, limit)
                    except StreamvisError as exc:
                        # A passing refusal, or one of this client (no token, a server
                        # refusing ingest), would refuse every record alike: stop,
                        # keeping them all for a later sync.
                        if classify(exc) in (Action.RETRY, Action.ACCESS):
                            raise
                        spool.reject(path, f"{exc.code}: {exc}")
                        log.warning("server refused spooled record %s (%s): set aside", path, exc)
                        counts.rejected += record_rows(record)
                        counts.rejected_records += 1
                        continue
                    spool.remove(path)
                    counts.sent += 1
                    counts.delivered += record_rows(record)
            finally:
                spool.close()
    return counts
