"""Media over gRPC: a blob made whole by FinishUpload, then rows that reference it; a
reference the server cannot stand behind is INVALID_ARGUMENT or FAILED_PRECONDITION and
stores nothing."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pytest

from streamvis.client import Client
from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError
from streamvis.model.media import MediaRef
from streamvis.model.schema import RunFilter

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(60)) + b"IEND\xaeB`\x82"
SHA = hashlib.sha256(PNG).hexdigest()


def test_finish_upload_then_rows_that_reference_the_blob(client: Client) -> None:
    client.create_field("svc.step", "int")
    client.create_field("svc.img", "image", options={"encoding": "png"})
    client.create_series("svc.pics", ["svc.step", "svc.img"])
    run = client.create_run().handle

    def append(ref: str) -> None:
        client.append(run, "svc.pics", {"svc.step": pa.array([1], pa.int64()),
                                         "svc.img": pa.array([ref])})

    good = MediaRef(SHA, "image/png", len(PNG), 2, 2).text()
    client.begin_upload(SHA, len(PNG))
    client.put_blob_part(SHA, 0, PNG)
    with pytest.raises(FailedPreconditionError, match="not stored whole"):
        append(good)  # the parts are there, but nobody checked their hash yet
    assert client.finish_upload(SHA).complete
    with pytest.raises(InvalidArgumentError, match="no media reference"):
        append("{}")
    with pytest.raises(InvalidArgumentError, match="send image media"):
        append(MediaRef(SHA, "video/mp4", len(PNG)).text())
    append(good)
    rows = [c.batch.num_rows for c in client.query("svc.pics", RunFilter(handles=(run,)))]
    assert rows == [1]  # only the good append was stored
    with pytest.raises(InvalidArgumentError, match="hash to"):
        client.begin_upload("0" * 64, 3)
        client.put_blob_part("0" * 64, 0, b"abc")
        client.finish_upload("0" * 64)
