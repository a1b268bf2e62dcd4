"""Whole files to and from the server's blob storage, a part at a time.

An upload hashes the file first (the blob's key), asks the server what it has
(BeginUpload), and sends only the missing parts, each read from the file when it is
sent: memory holds one part whatever the file's size, and an upload cut short by a
server restart resumes where the server's parts end. A download writes part after
part and checks the hash at the end.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import BinaryIO

from streamvis.client import Client
from streamvis.model.artifacts import Artifact, part_count
from streamvis.model.errors import DataLossError
from streamvis.model.limits import BLOB_PART_BYTES

_HASH_READ = 4 * 1024 * 1024


def file_digest(f: BinaryIO) -> tuple[str, int]:
    """(sha256, size) of the rest of `f`, read in pieces; `f` is left at its end."""
    digest, size = hashlib.sha256(), 0
    while piece := f.read(_HASH_READ):
        digest.update(piece)
        size += len(piece)
    return digest.hexdigest(), size


def upload_blob(client: Client, f: BinaryIO, sha256: str, size: int) -> None:
    """Send the parts of `f` (a seekable file whose content hashes to `sha256`) that
    the server does not have yet."""
    status = client.begin_upload(sha256, size)
    if status.complete:
        return
    for index in status.missing_parts:
        f.seek(index * BLOB_PART_BYTES)
        client.put_blob_part(sha256, index, f.read(BLOB_PART_BYTES))


def upload_artifact(
    client: Client, run: uuid.UUID | str, name: str, f: BinaryIO, *,
    step: int | None = None, media_type: str = "",
) -> Artifact:
    """Upload a seekable file as the run's artifact `name` at `step`."""
    f.seek(0)
    sha256, size = file_digest(f)
    upload_blob(client, f, sha256, size)
    return client.save_artifact(run, name, sha256, step, media_type)


def download_blob(client: Client, sha256: str, out: BinaryIO) -> int:
    """Write the blob to `out`, a part at a time; returns its size. Raises
    DataLossError if what came does not hash to `sha256`."""
    digest = hashlib.sha256()
    data, size = client.get_blob_part(sha256, 0)
    count = part_count(size)
    for index in range(count):
        if index:
            data, _ = client.get_blob_part(sha256, index)
        digest.update(data)
        out.write(data)
    if digest.hexdigest() != sha256:
        raise DataLossError(
            f"the bytes received for blob {sha256} hash to {digest.hexdigest()}: "
            "download it again"
        )
    return size
