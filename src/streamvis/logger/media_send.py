"""Encoded media values between the flusher and the server: a file each, sent in order.

The flusher encodes a write's media values (logger/media.py) and keeps each blob as a
file in the run's spool directory (`media/<sha256>.blob`), named by an ordered
PUT_MEDIA record that goes ahead of the append referencing it. Sending the record
uploads the parts the server lacks (transfer.py), has the server check the hash
(FinishUpload), and deletes the file; like every record it waits in the spool while the
server is away, so media rows are no more lost than numbers. The file is fsynced only
when its record goes to the spool (`make_durable`): a record sent at once is as safe as
the rows in memory beside it, and a blob a step pays no disk flush.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from streamvis.client import Client
from streamvis.model.errors import FailedPreconditionError
from streamvis.transfer import upload_blob


def keep_media(directory: Path, sha256: str, data: bytes) -> bytes:
    """Write the blob to `directory` (once per content) and return its record's JSON."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{sha256}.blob"
    if not path.exists():
        part = path.with_suffix(".part")
        with part.open("wb") as f:
            f.write(data)
        part.replace(path)  # whole or absent: a crash leaves no half file under the name
    return json.dumps({"sha256": sha256, "size": len(data), "path": str(path)}).encode()


def make_durable(message: bytes) -> None:
    """fsync the blob file a PUT_MEDIA record names (it is about to be spooled)."""
    path = Path(json.loads(message)["path"])
    with path.open("rb") as f:
        os.fsync(f.fileno())
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)  # its name too: the rename into place
    finally:
        os.close(fd)


def send_media(client: Client, message: bytes) -> None:
    """Upload the blob a PUT_MEDIA record names, and delete its file. Safe to resend."""
    spec = json.loads(message)
    path, sha, size = Path(spec["path"]), str(spec["sha256"]), int(spec["size"])
    try:
        f = path.open("rb")
    except FileNotFoundError:
        # Sent by an earlier record of the same content (or before a lost acknowledgement).
        if not client.begin_upload(sha, size).complete:
            raise FailedPreconditionError(
                f"the media value {sha} ({path}) is gone and the server lacks it: log it again"
            ) from None
        return
    with f:
        upload_blob(client, f, sha, size)
    client.finish_upload(sha)
    path.unlink(missing_ok=True)


def describe_media(message: bytes) -> str:
    try:
        spec = json.loads(message)
        return f"media value {spec['sha256'][:12]} ({spec['size']:,} bytes, kept in {spec['path']})"
    except (ValueError, KeyError, TypeError):
        return "a media value"
