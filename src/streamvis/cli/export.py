"""`streamvis export`: a series' dataset for some runs, written to a file.

The dataset is the one `streamvis.connect(...).fetch` returns (a run column, the
series' fields, joined attributes), streamed chunk by chunk from the server into the
file, so memory stays bounded by one stored chunk however large the series. The
format follows the file's suffix. The rows go to a temporary file beside the target,
renamed over it only when all were written: a failed export leaves no partial file and
an existing one as it was. The file gets the permissions the umask allows, as any new
file does (a replaced one keeps its own), not the temporary file's private 0600.

Media values (image, audio and video fields) are written as files beside the table, in
`<name>_media/`, one per distinct value, named by its sha256 and media type
(`<sha256>.png`); the table's column holds each row's path relative to the table's
folder. A value in the folder already (the same content) is not downloaded again.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.media_arrow import MEDIA_STRUCT
from streamvis.model.schema import RunFilter
from streamvis.model.table_files import FORMATS, Sink, TableWriter
from streamvis.query.batches import BatchStream, open_batches
from streamvis.query.media import EXTENSIONS
from streamvis.transfer import download_blob


def _writer_for(path: Path) -> Callable[[Sink, pa.Schema], TableWriter]:
    # The writers are the web app's too (GET /api/export): model/table_files.py.
    make = FORMATS.get(path.suffix.lower().lstrip("."))
    if make is None or not path.suffix:
        raise InvalidArgumentError(
            f"cannot tell the format of {str(path)!r} from its suffix: end the file name in "
            f"{', '.join('.' + name for name in FORMATS)}"
        )
    if not path.parent.is_dir():
        raise InvalidArgumentError(
            f"the folder {str(path.parent)!r} does not exist: create it, or write elsewhere"
        )
    return make


def _mode_for(path: Path) -> int:
    """The permissions `path` gets: those it has if it exists (as `> file` keeps them),
    else what the umask allows of rw-rw-rw-, as for any file a program creates."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)  # reading the umask means setting it; put it back at once
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[str]:
    """A temporary path beside `path`, moved over it if the block succeeds."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        # mkstemp makes the file private (0600), which is right for a temporary file but
        # not for the one the user asked for.
        os.fchmod(fd, _mode_for(path))
    finally:
        os.close(fd)
    tmp = Path(name)
    try:
        yield name
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _media_files(
    client: Client, batch: pa.RecordBatch, media: list[int], folder: Path, schema: pa.Schema
) -> pa.RecordBatch:
    """Write the batch's media values to `folder`; the batch with their relative paths."""
    folder.mkdir(exist_ok=True)
    columns = list(batch.columns)
    for i in media:
        paths = []
        for ref in columns[i].to_pylist():
            name = f"{ref['sha256']}{EXTENSIONS.get(ref['media_type'], '')}"
            if not (folder / name).exists():
                part = folder / f".{name}.partial"
                with part.open("wb") as f:
                    download_blob(client, ref["sha256"], f)
                part.replace(folder / name)
            paths.append(f"{folder.name}/{name}")
        columns[i] = pa.array(paths, pa.string())
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def export_series(
    client: Client, series: str, path: str | Path, *, run_filter: RunFilter,
    fields: Sequence[str] = (), attributes: Sequence[str] = (),
) -> int:
    """Write the dataset of `series` for the runs of `run_filter` to `path`; returns
    the number of rows. `fields` empty means every field of the series."""
    target = Path(path)
    make = _writer_for(target)  # before asking the server: a bad name changes nothing
    stream: BatchStream = open_batches(
        client, series, list(fields) or None, runs=run_filter, attributes=list(attributes),
        after_sequence=0, run_column="run",
        # A float field stored at both widths must fit one column type for the file.
        float64=True,
    )
    rows = 0
    media = [i for i, f in enumerate(stream.schema) if f.type == MEDIA_STRUCT]
    schema = stream.schema
    for i in media:
        schema = schema.set(i, schema.field(i).with_type(pa.string()))
    folder = target.parent / f"{target.stem}_media"
    with stream, _replacing(target) as tmp:
        writer = make(tmp, schema)
        try:
            for batch in stream:
                out = _media_files(client, batch, media, folder, schema) if media else batch
                writer.write(out)
                rows += out.num_rows
        finally:
            writer.close()
    return rows
