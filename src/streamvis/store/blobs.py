"""Blob storage: the store's one place for large bytes (artifacts now, rich media later).

A blob is keyed by the sha256 of its content, so the same bytes are stored once
however many runs save them. Its bytes are rows of `blob_parts`, BLOB_PART_BYTES
each, written and read one part per statement: no blob is ever whole in memory, and
an upload that stops can resume with the parts the store has (`begin_blob` lists
them). A blob becomes complete once every part is there and the hash of their bytes,
read back in order, is the key; only complete blobs can be referenced.

Runs reference blobs through `artifacts` (run, name, step, blob, media type). When a
run goes, so do its references, and each blob no run references any more goes with
them; `collect_blobs` also removes uploads abandoned part way.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator

from streamvis.model.artifacts import (
    Artifact,
    BlobStatus,
    check_artifact_name,
    check_media_type,
    check_part,
    check_sha256,
    check_step,
    pick,
)
from streamvis.model.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
)
from streamvis.model.limits import BLOB_PART_BYTES
from streamvis.store.core import SqlCore, as_uuid, check_handle
from streamvis.store.dialect import Row, Session, marks

_ARTIFACT_COLUMNS = "r.handle, a.name, a.step, b.size, a.sha256, a.media_type, a.created_at"
_ARTIFACT_FROM = "artifacts a JOIN runs r ON r.id = a.run_id JOIN blobs b ON b.sha256 = a.sha256"


_UNREFERENCED = (
    "NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = b.sha256) "
    "AND NOT EXISTS (SELECT 1 FROM media_refs m WHERE m.sha256 = b.sha256)"
)


def _artifact(row: Row) -> Artifact:
    return Artifact(
        as_uuid(row[0]), str(row[1]), None if row[2] is None else int(row[2]), int(row[3]),
        str(row[4]), str(row[5]), float(row[6]),
    )


def _step_match(step: int | None) -> tuple[str, tuple[object, ...]]:
    return ("a.step IS NULL", ()) if step is None else ("a.step = ?", (step,))


def drop_blobs_if_unreferenced(s: Session, hashes: list[str]) -> None:
    """Delete those blobs (with their parts) that no artifact and no run's media
    (store/media_refs.py) references; in `s`."""
    if not hashes:
        return
    rows = s.all(
        f"SELECT b.sha256 FROM blobs b WHERE b.sha256 IN ({marks(len(hashes))}) AND b.complete "
        f"AND {_UNREFERENCED}",
        hashes,
    )
    for (sha,) in rows:
        s.run("DELETE FROM blob_parts WHERE sha256 = ?", (sha,))
        s.run("DELETE FROM blobs WHERE sha256 = ?", (sha,))


def drop_run_artifacts(s: Session, run_id: int, also: list[str] | None = None) -> None:
    """Delete a run's artifacts and the blobs only they (or the run's media, whose
    references went already: `also`) referenced; in `s`."""
    hashes = [str(r[0]) for r in s.all(
        "SELECT DISTINCT sha256 FROM artifacts WHERE run_id = ?", (run_id,)
    )]
    s.run("DELETE FROM artifacts WHERE run_id = ?", (run_id,))
    drop_blobs_if_unreferenced(s, sorted(set(hashes) | set(also or ())))


class BlobMethods(SqlCore):
    """Blobs in parts, and the artifacts of runs that reference them."""

    # -- blobs ------------------------------------------------------------------

    def begin_blob(self, sha256: str, size: int, max_bytes: int | None = None) -> BlobStatus:
        """Start (or resume) storing a blob of `size` bytes whose hash is `sha256`.

        Returns what the store has of it: complete (nothing to send), or the parts it
        has. Raises ResourceExhaustedError above `max_bytes`, storing nothing.
        """
        sha = check_sha256(sha256)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise InvalidArgumentError(f"blob size must be a non-negative integer, got {size!r}")
        if max_bytes is not None and size > max_bytes:
            raise ResourceExhaustedError(
                f"the artifact has {size:,} bytes; at most {max_bytes:,} are accepted "
                "(streamvis serve --max-artifact-mb): save a smaller one, or raise the limit"
            )
        with self._write() as s:
            s.run(
                "INSERT INTO blobs (sha256, size, complete, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sha256) DO NOTHING",
                (sha, size, False, time.time()),
            )
            lock = self.dialect.for_update
            # Inserted or found, and held by this transaction.
            row = s.all(f"SELECT size, complete FROM blobs WHERE sha256 = ?{lock}", (sha,))[0]
            if bool(row[1]):
                if int(row[0]) != size:
                    raise InvalidArgumentError(
                        f"blob {sha} has {row[0]} bytes, not {size}: check the hash and size"
                    )
                return BlobStatus(sha, size, complete=True, have_parts=())
            if int(row[0]) != size:
                # An unfinished upload that claimed another size: its parts cannot be
                # this content's, so start over.
                s.run("DELETE FROM blob_parts WHERE sha256 = ?", (sha,))
                s.run("UPDATE blobs SET size = ?, created_at = ? WHERE sha256 = ?",
                      (size, time.time(), sha))
            parts = s.all("SELECT part FROM blob_parts WHERE sha256 = ? ORDER BY part", (sha,))
        return BlobStatus(sha, size, complete=False, have_parts=tuple(int(p[0]) for p in parts))

    def put_blob_part(self, sha256: str, index: int, data: bytes) -> None:
        """Store one part of a blob begun with `begin_blob`; a part stored already is kept."""
        sha = check_sha256(sha256)
        with self._write() as s:
            size, complete = self._blob_row(s, sha)
            if complete:
                return
            check_part(size, index, data)
            s.run(
                "INSERT INTO blob_parts (sha256, part, data) VALUES (?, ?, ?) "
                "ON CONFLICT (sha256, part) DO NOTHING",
                (sha, index, bytes(data)),
            )

    def finish_blob(self, sha256: str) -> BlobStatus:
        """Check that every part is there and that their bytes hash to `sha256`, then
        mark the blob complete. A mismatch discards the parts (InvalidArgumentError)."""
        sha = check_sha256(sha256)
        status = self.blob_status(sha)
        if status.complete:
            return status
        missing = status.missing_parts
        if missing:
            raise FailedPreconditionError(
                f"blob {sha} lacks {len(missing)} of its {status.part_count} parts "
                f"(first: {missing[0]}): send them, then finish"
            )
        digest = hashlib.sha256()
        for part in self._parts(sha, 0, status.part_count):
            digest.update(part)
        if digest.hexdigest() != sha:
            with self._write() as s:
                s.run("DELETE FROM blob_parts WHERE sha256 = ?", (sha,))
            raise InvalidArgumentError(
                f"the parts sent for blob {sha} hash to {digest.hexdigest()}: they were "
                "discarded; upload the content again"
            )
        with self._write() as s:
            s.run("UPDATE blobs SET complete = ? WHERE sha256 = ?", (True, sha))
        return BlobStatus(sha, status.size, complete=True, have_parts=())

    def blob_status(self, sha256: str) -> BlobStatus:
        """What the store has of the blob; NotFoundError if nothing."""
        sha = check_sha256(sha256)
        with self._read() as s:
            size, complete = self._blob_row(s, sha)
            parts = () if complete else tuple(int(p[0]) for p in s.all(
                "SELECT part FROM blob_parts WHERE sha256 = ? ORDER BY part", (sha,)
            ))
        return BlobStatus(sha, size, complete=complete, have_parts=parts)

    def read_blob_part(self, sha256: str, index: int) -> bytes:
        """Part `index` of a complete blob."""
        status = self.blob_status(sha256)
        if not status.complete:
            raise NotFoundError(f"blob {status.sha256} is not complete: finish its upload first")
        if isinstance(index, bool) or not isinstance(index, int) or not (
            0 <= index < status.part_count
        ):
            raise InvalidArgumentError(
                f"part {index!r} is out of range: blob {status.sha256} has parts "
                f"0..{status.part_count - 1}"
            )
        return next(self._parts(status.sha256, index, index + 1))

    def iter_blob(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes [start, end) of a complete blob, a part at a time."""
        status = self.blob_status(sha256)
        if not status.complete:
            raise NotFoundError(f"blob {status.sha256} is not complete: finish its upload first")
        stop = status.size if end is None else min(end, status.size)
        if start >= stop:
            return iter(())
        first, last = start // BLOB_PART_BYTES, (stop - 1) // BLOB_PART_BYTES

        def gen() -> Iterator[bytes]:
            for i, part in enumerate(self._parts(status.sha256, first, last + 1), first):
                base = i * BLOB_PART_BYTES
                yield part[max(0, start - base): stop - base]

        return gen()

    def collect_blobs(self, older_than_s: float = 24 * 3600.0) -> int:
        """Delete blobs begun more than `older_than_s` ago that are unfinished or that no
        artifact references; returns how many went."""
        cutoff = time.time() - older_than_s
        with self._write() as s:
            rows = s.all(
                "SELECT b.sha256 FROM blobs b WHERE b.created_at < ? AND (NOT b.complete OR "
                f"{_UNREFERENCED})",
                (cutoff,),
            )
            for (sha,) in rows:
                s.run("DELETE FROM blob_parts WHERE sha256 = ?", (sha,))
                s.run("DELETE FROM blobs WHERE sha256 = ?", (sha,))
        return len(rows)

    def _blob_row(self, s: Session, sha: str) -> tuple[int, bool]:
        row = s.one("SELECT size, complete FROM blobs WHERE sha256 = ?", (sha,))
        if row is None:
            raise NotFoundError(f"no blob {sha}: begin its upload first (BeginUpload)")
        return int(row[0]), bool(row[1])

    def _parts(self, sha: str, first: int, stop: int) -> Iterator[bytes]:
        # One short read per part, so a long download holds no transaction open and
        # never more than one part in memory.
        for index in range(first, stop):
            with self._read() as s:
                rows = s.all(
                    "SELECT data FROM blob_parts WHERE sha256 = ? AND part = ?",
                    (sha, index), binary=True,
                )
            if not rows:
                raise NotFoundError(f"blob {sha} has no part {index}: it was deleted")
            yield bytes(rows[0][0])

    # -- artifacts ----------------------------------------------------------------

    def save_artifact(
        self,
        run: uuid.UUID,
        name: str,
        sha256: str,
        step: int | None = None,
        media_type: str = "",
    ) -> Artifact:
        """Reference the complete blob `sha256` from the run as `name` at `step`,
        replacing what was saved under that name and step."""
        h, name, sha = check_handle(run), check_artifact_name(name), check_sha256(sha256)
        step, media = check_step(step), check_media_type(media_type)
        with self._write() as s:
            run_id = self._run_id(s, h, lock=True)
            row = s.one(f"SELECT complete FROM blobs WHERE sha256 = ?{self.dialect.for_update}",
                        (sha,))
            if row is None or not bool(row[0]):
                raise FailedPreconditionError(
                    f"blob {sha} is not stored whole: upload it (BeginUpload, PutBlobPart) "
                    "before saving the artifact"
                )
            cond, params = _step_match(step)
            old = [str(r[0]) for r in s.all(
                f"SELECT a.sha256 FROM artifacts a WHERE a.run_id = ? AND a.name = ? AND {cond}",
                (run_id, name, *params),
            )]
            s.run(
                "DELETE FROM artifacts WHERE id IN (SELECT a.id FROM artifacts a "
                f"WHERE a.run_id = ? AND a.name = ? AND {cond})",
                (run_id, name, *params),
            )
            s.run(
                "INSERT INTO artifacts (run_id, name, step, sha256, media_type, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, name, step, sha, media, time.time()),
            )
            drop_blobs_if_unreferenced(s, [o for o in old if o != sha])
            found = s.all(
                f"SELECT {_ARTIFACT_COLUMNS} FROM {_ARTIFACT_FROM} "
                f"WHERE a.run_id = ? AND a.name = ? AND {cond}",
                (run_id, name, *params),
            )
        return _artifact(found[0])

    def list_artifacts(self, run: uuid.UUID) -> list[Artifact]:
        """The run's artifacts by name, then step (no step first)."""
        h = check_handle(run)
        with self._read() as s:
            run_id = self._run_id(s, h)
            rows = s.all(
                f"SELECT {_ARTIFACT_COLUMNS} FROM {_ARTIFACT_FROM} WHERE a.run_id = ? "
                "ORDER BY a.name, a.step IS NOT NULL, a.step",
                (run_id,),
            )
        return [_artifact(r) for r in rows]

    def get_artifact(self, run: uuid.UUID, name: str, step: int | None = None) -> Artifact:
        """The artifact `name` at `step`; with no step, the one saved without a step, or
        else the one of the highest step."""
        h, name, step = check_handle(run), check_artifact_name(name), check_step(step)
        return pick(self.list_artifacts(h), h, name, step)
