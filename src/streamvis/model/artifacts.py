"""Artifacts: named, content-addressed files a run keeps (models, objects, directories).

The bytes live once in the store's blob storage, keyed by their sha256 and cut into
parts of BLOB_PART_BYTES; an artifact is a run's reference to one blob, under a name
and an optional step. The rules here are shared by the server, which enforces them,
and the client, which cuts and hashes what it uploads.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.limits import BLOB_PART_BYTES, MAX_MEDIA_TYPE_LENGTH
from streamvis.model.schema import validate_name

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")

#: What an artifact is when nothing more specific is known: bytes, or a file.
OCTET_STREAM = "application/octet-stream"
#: What `logger.save` gives the objects it pickles, torch.saves and tars, and what
#: `load_artifact` reads them back by.
PICKLE = "application/x-python-pickle"
TORCH = "application/x-torch"
TAR = "application/x-tar"


@dataclass(frozen=True)
class Artifact:
    """One artifact of a run: `name` at `step` (None: saved without a step)."""

    run: uuid.UUID
    name: str
    step: int | None
    size: int
    sha256: str
    media_type: str
    created_at: float


@dataclass(frozen=True)
class BlobStatus:
    """What the store holds of a blob: its size, whether it is complete (hash checked)
    and, while it is not, which parts it has already (an upload resumes from there)."""

    sha256: str
    size: int
    complete: bool
    have_parts: tuple[int, ...]

    @property
    def part_count(self) -> int:
        return part_count(self.size)

    @property
    def missing_parts(self) -> list[int]:
        have = set(self.have_parts)
        return [i for i in range(self.part_count) if i not in have]


def part_count(size: int) -> int:
    """Parts of a blob of `size` bytes (an empty blob has one, empty)."""
    return max(1, -(-size // BLOB_PART_BYTES))


def part_length(size: int, index: int) -> int:
    """Bytes part `index` of a blob of `size` bytes must have."""
    return min(BLOB_PART_BYTES, size - index * BLOB_PART_BYTES)


def check_sha256(text: object) -> str:
    if not isinstance(text, str) or not _SHA256.match(text):
        raise InvalidArgumentError(
            f"blob hash {str(text)[:80]!r} is not a sha256: give 64 lowercase hex digits"
        )
    return text


def check_artifact_name(name: object) -> str:
    return validate_name("artifact", name)  # type: ignore[arg-type]  # checks its type


def check_step(step: object) -> int | None:
    if step is None:
        return None
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise InvalidArgumentError(
            f"artifact step must be a non-negative integer or None, got {step!r}"
        )
    return step


def check_media_type(media_type: object) -> str:
    if media_type in (None, ""):
        return OCTET_STREAM
    if (
        not isinstance(media_type, str)
        or len(media_type) > MAX_MEDIA_TYPE_LENGTH
        or not _MEDIA_TYPE.match(media_type)
    ):
        raise InvalidArgumentError(
            f"media type {str(media_type)[:80]!r} is not a type/subtype: give one like "
            f"{OCTET_STREAM!r}"
        )
    return media_type


def check_part(size: int, index: object, data: bytes) -> int:
    """The part index, once `data` is the right length for part `index` of the blob."""
    count = part_count(size)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        raise InvalidArgumentError(
            f"part {index!r} is out of range: a blob of {size} bytes has parts 0..{count - 1}"
        )
    want = part_length(size, index)
    if len(data) != want:
        raise InvalidArgumentError(
            f"part {index} of a blob of {size} bytes must have {want} bytes, got {len(data)}: "
            f"cut blobs into parts of {BLOB_PART_BYTES} bytes"
        )
    return index


def pick(artifacts: Sequence[Artifact], run: uuid.UUID, name: str, step: int | None) -> Artifact:
    """The artifact `name` at `step` among a run's; with no step, the one saved without
    a step, or else the one of the highest step. NotFoundError if none."""
    found = [a for a in artifacts if a.name == name]
    if step is not None:
        found = [a for a in found if a.step == step]
    elif any(a.step is None for a in found):
        found = [a for a in found if a.step is None]
    if not found:
        at = "" if step is None else f" at step {step}"
        raise NotFoundError(
            f"run {run} has no artifact {name!r}{at}: list its artifacts to see what it has"
        )
    return max(found, key=lambda a: -1 if a.step is None else a.step)
