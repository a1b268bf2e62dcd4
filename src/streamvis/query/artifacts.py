"""Reading artifacts back: `sv.artifacts(run)`, `sv.load_artifact(...)`, `sv.download(...)`.

An artifact comes back as what was saved, by its media type: the object for a pickle,
what `torch.load` makes of a torch file, a directory for a tar (unpacked into `path`,
or a temporary directory), bytes for the rest. With `path`, a file is written there
instead and its path returned. Every download goes a part at a time (transfer.py) and
is checked against the artifact's hash.

Unpickling runs code the pickle names: load only artifacts of runs you trust.
"""

from __future__ import annotations

import io
import pickle
import tarfile
import tempfile
import uuid
from pathlib import Path
from typing import Any

from streamvis.client import Client
from streamvis.model.artifacts import PICKLE, TAR, TORCH, Artifact, pick
from streamvis.model.errors import FailedPreconditionError
from streamvis.query.filters import handles_of
from streamvis.transfer import download_blob


def run_handle(run: object) -> uuid.UUID:
    handles = handles_of(run)  # type: ignore[arg-type]  # it checks what it is given
    if len(handles) != 1:
        raise FailedPreconditionError(
            f"give one run for its artifacts, got {len(handles)}: pass a Run or a handle"
        )
    return handles[0]


def find(client: Client, run: object, name: str, step: int | None) -> Artifact:
    handle = run_handle(run)
    return pick(client.artifacts(handle), handle, name, step)


def download(client: Client, artifact: Artifact, path: str | Path) -> Path:
    """Write the artifact's bytes to the file `path` (its directory must exist)."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.part")
    try:
        with partial.open("wb") as out:
            download_blob(client, artifact.sha256, out)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def load(client: Client, artifact: Artifact, path: str | Path | None = None) -> Any:
    """The artifact as what was saved (see the module docstring)."""
    if artifact.media_type == TAR:
        directory = Path(path) if path is not None else Path(tempfile.mkdtemp(prefix="sv-"))
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as f:
            download_blob(client, artifact.sha256, f)
            f.seek(0)
            with tarfile.open(fileobj=f) as tar:
                tar.extractall(directory, filter="data")
        return directory
    if path is not None:
        return download(client, artifact, path)
    buffer = io.BytesIO()
    download_blob(client, artifact.sha256, buffer)
    if artifact.media_type == PICKLE:
        buffer.seek(0)
        return pickle.load(buffer)  # noqa: S301 - the caller's own runs (module docstring)
    if artifact.media_type == TORCH:
        import torch  # noqa: PLC0415 - only for torch artifacts

        buffer.seek(0)
        return torch.load(buffer)
    return buffer.getvalue()
