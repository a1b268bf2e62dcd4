"""The blobs a chunk's media columns reference (model/media.py, migration 10).

An append whose series has media fields names blobs by sha256 in those columns. Before
the chunk is stored the references are checked (well formed, a media type the field
takes, within the limits), and inside the chunk's transaction each blob must be stored
whole with the size the reference says; `media_refs` then records (run, blob), so a blob
stays while a run references it and goes with the last run that did (blobs.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError
from streamvis.model.limits import MAX_MEDIA_PER_APPEND
from streamvis.model.media import MediaRef, media_type_allowed
from streamvis.store.dialect import Session, marks
from streamvis.store.filters import FieldRow


def media_in_batch(batch: pa.RecordBatch, fields: list[FieldRow]) -> dict[str, int]:
    """sha256 -> bytes of every blob the batch's media columns reference, checked."""
    found: dict[str, int] = {}
    for i, row in enumerate(fields):
        media = row.field.type.row.media
        if not media:
            continue
        column = batch.column(i)
        if pa.types.is_run_end_encoded(column.type):
            column = pc.run_end_decode(column)
        if len(column) > MAX_MEDIA_PER_APPEND:
            raise InvalidArgumentError(
                f"the append has {len(column):,} values of media field {row.field.name!r}; "
                f"at most {MAX_MEDIA_PER_APPEND:,} (MAX_MEDIA_PER_APPEND): send fewer a time"
            )
        for text in pc.unique(column).to_pylist():
            ref = MediaRef.parse(str(text), row.field.name)
            if not media_type_allowed(media, ref.media_type):
                raise InvalidArgumentError(
                    f"field {row.field.name!r} is {media} but a value is {ref.media_type!r}: "
                    f"send {media} media"
                )
            if found.setdefault(ref.sha256, ref.bytes) != ref.bytes:
                raise InvalidArgumentError(
                    f"two references to blob {ref.sha256} give different sizes: check them"
                )
    return found


def record_media(s: Session, run_id: int, blobs: Mapping[str, int]) -> None:
    """In the chunk's transaction: check that each blob is stored whole with the size
    its references say, and record that the run references it."""
    if not blobs:
        return
    hashes = sorted(blobs)
    stored = {
        str(sha): (int(size), bool(complete)) for sha, size, complete in s.all(
            f"SELECT sha256, size, complete FROM blobs WHERE sha256 IN ({marks(len(hashes))})",
            hashes,
        )
    }
    for sha in hashes:
        size, complete = stored.get(sha, (0, False))
        if not complete:
            raise FailedPreconditionError(
                f"media blob {sha} is not stored whole: upload it (BeginUpload, PutBlobPart, "
                "FinishUpload) before the rows that reference it"
            )
        if size != blobs[sha]:
            raise InvalidArgumentError(
                f"a media reference says blob {sha} has {blobs[sha]:,} bytes, but it has "
                f"{size:,}: send the reference the upload made"
            )
        s.run(
            "INSERT INTO media_refs (run_id, sha256) VALUES (?, ?) "
            "ON CONFLICT (run_id, sha256) DO NOTHING",
            (run_id, sha),
        )


def drop_run_media(s: Session, run_id: int) -> list[str]:
    """Delete the run's media references; the blobs they named (to drop if now unused)."""
    hashes = [str(r[0]) for r in s.all(
        "SELECT sha256 FROM media_refs WHERE run_id = ?", (run_id,)
    )]
    s.run("DELETE FROM media_refs WHERE run_id = ?", (run_id,))
    return hashes
