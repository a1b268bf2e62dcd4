"""`logger.save`: files, directories, tensors' state and objects, as run artifacts.

`save` turns what it is given into one file at once, on the caller's thread (so a
model saved mid-training is the model of that moment): a file is copied, a directory
is packed as a tar, a torch object goes through `torch.save`, bytes are kept as they
are, anything else is pickled. The file waits in the run's spool directory, hashed as
it was written, and an ordered record (Kind.SAVE_ARTIFACT, JSON naming the file)
joins the queue behind what was written before. The flusher uploads it in parts
(transfer.py): only the parts the server lacks, so a server restart mid-upload costs
the parts in flight; the record is spooled like rows while the server is away, and
`stop()` waits for it like for rows. The file is deleted once the artifact is saved.

How each kind is read back is the media type's (`load_artifact` in query/).
"""

from __future__ import annotations

import collections
import hashlib
import io
import json
import os
import pickle
import sys
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from streamvis.client import Client
from streamvis.logger.batching import Item, Kind, Record
from streamvis.model.artifacts import (
    OCTET_STREAM,
    PICKLE,
    TAR,
    TORCH,
    check_artifact_name,
    check_step,
)
from streamvis.model.errors import FailedPreconditionError, StreamvisError
from streamvis.transfer import upload_blob

BYTES = OCTET_STREAM

_COPY = 4 * 1024 * 1024


class _Hashing(io.RawIOBase):
    """A write-only file that hashes and counts what passes through to `out`."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.digest.update(view)
        self.out.write(view)
        self.size += len(view)
        return len(view)


def _is_torch(obj: object) -> bool:
    torch = sys.modules.get("torch")  # never imported here: only if the program has it
    if torch is None:
        return False
    if isinstance(obj, torch.nn.Module | torch.Tensor):
        return True
    return isinstance(obj, dict) and any(isinstance(v, torch.Tensor) for v in obj.values())


def _write(obj: object, out: _Hashing) -> str:
    """Write `obj` to `out`; its media type."""
    if isinstance(obj, os.PathLike):
        path = Path(obj)
        if path.is_dir():
            with tarfile.open(fileobj=out, mode="w|") as tar:
                tar.add(path, arcname=path.name)
            return TAR
        with path.open("rb") as f:
            while piece := f.read(_COPY):
                out.write(piece)
        return BYTES
    if isinstance(obj, bytes | bytearray | memoryview):
        out.write(obj)
        return BYTES
    if _is_torch(obj):
        buffer = io.BytesIO()  # torch.save wants a seekable file
        sys.modules["torch"].save(obj, buffer)
        out.write(buffer.getbuffer())
        return TORCH
    pickle.dump(obj, out, protocol=pickle.HIGHEST_PROTOCOL)
    return PICKLE


def prepare_artifact(
    obj: object, name: str, step: int | None, run: uuid.UUID, directory: Path, *,
    media_type: str | None = None,
) -> bytes:
    """Write `obj` into `directory` and return the JSON of its SAVE_ARTIFACT record.

    Raises StreamvisError for a bad name or step, OSError or pickling errors for what
    cannot be written.
    """
    check_artifact_name(name)
    check_step(step)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.blob"
    try:
        with path.open("wb") as f:
            out = _Hashing(f)
            kind = _write(obj, out)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return json.dumps({
        "run": str(run), "name": name, "step": step, "sha256": out.digest.hexdigest(),
        "size": out.size, "media_type": media_type or kind, "path": str(path),
    }).encode()


class SavesArtifacts:
    """The `save` method of DataLogger and AsyncDataLogger (LoggerCore has the state)."""

    disabled: bool
    run_handle: uuid.UUID
    spool_dir: Path
    _queue: collections.deque[Item]
    _violation: Callable[[StreamvisError, int], None]  # LoggerCore's

    def save(
        self, obj: object, name: str, step: int | None = None, *,
        media_type: str | None = None,
    ) -> None:
        """Save `obj` as the run's artifact `name` (at `step`, if given): a path (a file,
        or a directory, packed as a tar), bytes, a torch module, tensor or state dict
        (torch.save), or any picklable object. Written to disk now, uploaded by the
        flusher in order with the rows; saving a name and step again replaces it."""
        if self.disabled:
            return
        try:
            message = prepare_artifact(obj, name, step, self.run_handle,
                                       self.spool_dir / "artifacts", media_type=media_type)
        except StreamvisError as exc:
            self._violation(exc, 3)
            return
        self._queue.append((None, Record(Kind.SAVE_ARTIFACT, message), 0.0))


def send_artifact(client: Client, message: bytes) -> None:
    """Upload the file of a SAVE_ARTIFACT record (the parts the server lacks) and save
    the artifact; then delete the file. Safe to resend."""
    spec = json.loads(message)
    path = Path(spec["path"])
    sha, size = str(spec["sha256"]), int(spec["size"])
    try:
        f = path.open("rb")
    except FileNotFoundError:
        # Sent before, and the acknowledgement lost: the server has it, or it is gone.
        if not client.begin_upload(sha, size).complete:
            raise FailedPreconditionError(
                f"the file of artifact {spec['name']!r} ({path}) is gone and the server "
                "lacks its content: save it again"
            ) from None
    else:
        with f:
            upload_blob(client, f, sha, size)
    client.save_artifact(spec["run"], spec["name"], sha, spec["step"], spec["media_type"])
    path.unlink(missing_ok=True)


def describe(message: bytes) -> str:
    """The record, for a refusal's report."""
    try:
        spec = json.loads(message)
        return f"artifact {spec['name']!r} ({spec['size']:,} bytes, kept in {spec['path']})"
    except (ValueError, KeyError, TypeError):
        return "an artifact"


__all__ = ["BYTES", "PICKLE", "TAR", "TORCH", "SavesArtifacts", "describe",
           "prepare_artifact", "send_artifact"]
