"""The Python data API: runs, series data and live events from a streamvis server.

    import streamvis

    with streamvis.connect() as sv:                 # $STREAMVIS_URI or localhost:8001
        runs = sv.runs(tags_any="baseline", attributes={"lr": (1e-4, 1e-2)})
        table = sv.fetch("train", fields=["step", "loss"], runs=runs, attributes=["lr"])
        df = table.to_pandas()

Everything goes through `streamvis.client.Client` (one gRPC channel). Data comes back
as Arrow: `fetch` materializes a `pyarrow.Table`, `iter_batches` streams one
`pyarrow.RecordBatch` per stored chunk for results too large to hold. See
docs/data-api.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from streamvis.client import Client
from streamvis.model import capture as cap
from streamvis.model.artifacts import Artifact
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import Field, Series, Value
from streamvis.query import artifacts, media, runinfo
from streamvis.query.batches import BatchStream, open_batches
from streamvis.query.events import EventStream
from streamvis.query.filters import (
    AttributeSpec,
    HandlesArg,
    RunsArg,
    TimeArg,
    build_filter,
    resolved,
    runs_filter,
)
from streamvis.query.runinfo import RunInfo
from streamvis.query.runs import RunList

__all__ = ["BatchStream", "Connection", "EventStream", "RunInfo", "RunList", "connect"]


class Connection:
    """A connection to one streamvis server. Close it (or use `with`) when done.

    Thread-safe: one connection may serve several threads.
    """

    def __init__(
        self, uri: str | None = None, *, timeout: float = 30.0, token: str | None = None,
        tls: bool | None = None, tls_ca: str | os.PathLike[str] | None = None,
    ) -> None:
        #: The typed gRPC client underneath, for what this API does not cover.
        self.client = Client(uri, timeout=timeout, token=token, tls=tls, tls_ca=tls_ca)

    @property
    def uri(self) -> str:
        return self.client.uri

    def close(self) -> None:
        """Close the channel; open `watch` and `iter_batches` streams end with it."""
        self.client.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Connection({self.uri!r})"

    # -- metadata -------------------------------------------------------------

    def _resolved(self, runs: RunsArg) -> RunsArg:
        """`runs` with handle prefixes resolved to whole handles (by the server)."""
        return resolved(runs, self.client.resolve_run)

    def fields(self) -> list[Field]:
        """Every field, by name."""
        return self.client.fields()

    def series(self) -> list[Series]:
        """Every series, by name."""
        return self.client.series()

    def tags(self, runs: RunsArg = None) -> dict[str, int]:
        """Each tag of the matching runs (default: all) with how many of them have it."""
        return dict(self.client.tags(runs_filter(self._resolved(runs))))

    def runs(
        self,
        *,
        tags_any: str | Iterable[str] = (),
        tags_all: str | Iterable[str] = (),
        tags_none: str | Iterable[str] = (),
        attributes: Mapping[str, AttributeSpec] | None = None,
        started_after: TimeArg | None = None,
        started_before: TimeArg | None = None,
        handles: HandlesArg | None = None,
        limit: int = 0,
    ) -> RunList:
        """The runs that match every given condition (no condition: all runs).

        `attributes` maps a field name to a value (equal to it), a `(lo, hi)` tuple
        (an inclusive range; None leaves an end open) or a list or set (one of them).
        Times are datetimes (naive means UTC), ISO strings or seconds since the epoch;
        `started_after` is inclusive, `started_before` exclusive. `limit` > 0 caps
        how many runs come back.
        """
        run_filter = build_filter(
            tags_any=tags_any, tags_all=tags_all, tags_none=tags_none,
            attributes=attributes, started_after=started_after,
            started_before=started_before,
            # Handles in, handles out: a RunFilter is never what `handles` holds.
            handles=None if handles is None else self._resolved(handles),  # type: ignore[arg-type]
        )
        if limit < 0:
            raise InvalidArgumentError(f"limit must be 0 (no limit) or more, got {limit}")
        return RunList(self.client.runs(run_filter, limit=limit))

    def attribute_values(
        self, fields: str | Sequence[str] = (), runs: RunsArg = None
    ) -> dict[str, list[tuple[Value, int]]]:
        """For each attribute (or those in `fields`) of the matching runs, its distinct
        values with how many runs have each."""
        names = [fields] if isinstance(fields, str) else list(fields)
        return self.client.attribute_values(runs_filter(self._resolved(runs)), names)

    def common_series(self, runs: RunsArg = None) -> list[Series]:
        """The series that have data in every matching run."""
        return self.client.common_series(runs_filter(self._resolved(runs)))

    def common_attributes(self, runs: RunsArg = None) -> list[Field]:
        """The attributes that every matching run has a value for."""
        return self.client.common_attributes(runs_filter(self._resolved(runs)))

    # -- artifacts (query/artifacts.py) -----------------------------------------

    def artifacts(self, run: HandlesArg) -> list[Artifact]:
        """The run's artifacts (name, step, size, sha256, media type), by name and step."""
        return self.client.artifacts(artifacts.run_handle(self._resolved(run)))

    def load_artifact(
        self, run: HandlesArg, name: str, step: int | None = None, *,
        path: str | os.PathLike[str] | None = None,
    ) -> Any:
        """The artifact `name` (at `step`; with none, the one saved without a step, else
        the latest) as what was saved: the object (pickled or torch), a directory (a
        saved directory, unpacked into `path` or a temporary one), or bytes. With
        `path`, a file is written there and its Path returned."""
        found = artifacts.find(self.client, self._resolved(run), name, step)
        return artifacts.load(self.client, found, None if path is None else Path(path))

    def download(
        self, run: HandlesArg, name: str, path: str | os.PathLike[str], step: int | None = None,
    ) -> Path:
        """Write the artifact's bytes, as stored (a tar for a directory), to `path`."""
        found = artifacts.find(self.client, self._resolved(run), name, step)
        return artifacts.download(self.client, found, Path(path))

    # -- media (docs/data-api.md, "Media") --------------------------------------

    def media(self, ref: object, as_: str = "bytes") -> Any:
        """The media value a reference of `fetch` names (a row of an image, audio or
        video column): bytes, or with as_="pil" a PIL image, with as_="numpy" an array
        (images (H, W[, C]) uint8; WAV audio (samples[, channels]))."""
        return media.load(self.client, ref, as_)

    def download_media(self, ref: object, path: str | os.PathLike[str]) -> Path:
        """Write a media value to `path` (in a directory: `<sha256>.<ext>`), a part at
        a time; returns the file's path."""
        return media.download(self.client, ref, path)

    # -- data -----------------------------------------------------------------

    def iter_batches(
        self,
        series: str,
        fields: str | Sequence[str] | None = None,
        *,
        runs: RunsArg = None,
        attributes: str | Sequence[str] = (),
        after_sequence: int = 0,
        run_column: str = "run",
        float64: bool = False,
    ) -> BatchStream:
        """Stream the data of `series` as one `pyarrow.RecordBatch` per stored chunk.

        Takes the arguments of `fetch` and yields batches of the schema `fetch`'s
        table has, holding one chunk at a time: memory stays bounded however large
        the series. Errors in the request (an unknown series or field) are raised
        here, not at the first batch. Close the stream (or use `with`, or iterate
        to the end) to end the server's query early.
        """
        return open_batches(
            self.client, series, fields, runs=self._resolved(runs), attributes=attributes,
            after_sequence=after_sequence, run_column=run_column, float64=float64,
        )

    def fetch(
        self,
        series: str,
        fields: str | Sequence[str] | None = None,
        *,
        runs: RunsArg = None,
        attributes: str | Sequence[str] = (),
        after_sequence: int = 0,
        run_column: str = "run",
        float64: bool = False,
    ) -> pa.Table:
        """The data of `series` for the matching runs as one `pyarrow.Table`.

        Columns: `run` (the run's handle, a string, dictionary-encoded: stored once per
        chunk, not once per row; `.to_pylist()` gives strings, pandas a categorical),
        then `fields` (default: all of the series) in the order given, then each of
        `attributes` repeated on every row of its run, each in its field's Arrow type
        (int64, float64, string, bool). Rows come in the order they were stored.
        `runs` is None (every run), a list of runs or handles (`runs()` gives one) or a
        `RunFilter`; a run that has no value for a requested attribute is left out.
        `after_sequence` keeps only chunks stored after that sequence number. A query
        that matches nothing gives an empty table with these columns. A float field
        comes as it was stored: float32 where the program logged float32 arrays
        (float64 if the result mixes both widths); `float64=True` widens every float
        column to float64.

        The whole result is held in memory; use `iter_batches` for more than fits.
        """
        with self.iter_batches(
            series, fields, runs=runs, attributes=attributes,
            after_sequence=after_sequence, run_column=run_column, float64=float64,
        ) as stream:
            return stream.read_all()

    def summaries(
        self, series: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None, *, runs: RunsArg = None,
    ) -> pa.Table:
        """Summary values of the runs' metrics, computed by the server: one row per run,
        series and numeric field, with columns run, series, field, rows (the series'
        rows in that run), last, min and max (float64; min and max skip NaN and are null
        when every value is NaN). `series` and `fields` default to all."""
        names = [series] if isinstance(series, str) else list(series or ())
        wanted = [fields] if isinstance(fields, str) else list(fields or ())
        found = self.client.summaries(runs_filter(self._resolved(runs)), names, wanted)
        rows = [(str(s.run), s.series, name, s.rows, f.last, f.min, f.max)
                for s in found for name, f in s.fields.items()]
        columns = list(zip(*rows, strict=True)) if rows else [()] * 7
        return pa.table(
            [pa.array(c, t) for c, t in zip(columns, (
                pa.string(), pa.string(), pa.string(), pa.int64(), pa.float64(),
                pa.float64(), pa.float64()), strict=True)],
            names=["run", "series", "field", "rows", "last", "min", "max"],
        )

    def run_table(
        self, series: str, fields: str | Sequence[str] | None = None,
        attributes: str | Sequence[str] = (), *, runs: RunsArg = None,
    ) -> pa.Table:
        """One row per run that has rows in `series`, in the runs' started order: the
        table of the web UI's hyperparameter views (`POST /api/data` with "per_run").

        Columns: `run` (its handle), then each of `fields`: a column name, `last.F`,
        `min.F` or `max.F` (a summary of the series' numeric field F, float64, NaN where
        every value was NaN), `rows` (int64) or `attr.NAME`, or a numeric field `F` for
        its last, min and max (default: rows and all three of every numeric field); then
        each of `attributes` (`lr` or `attr.lr`) as `attr.NAME`, in its field's type. A
        run without one of the attributes is left out. An unknown name raises
        InvalidArgumentError or NotFoundError saying what exists.
        """
        wanted = [fields] if isinstance(fields, str) else None if fields is None \
            else list(fields)
        names = [attributes] if isinstance(attributes, str) else list(attributes)
        return self.client.run_table(series, wanted, names, runs_filter(self._resolved(runs)))

    # -- what a run captured (docs/data-api.md, "A run's capture") --------------

    def run_info(self, run: HandlesArg) -> RunInfo:
        """One run with what it captured: attributes grouped by prefix (command,
        config, git, env), the long texts (git diff, untracked files, packages) and
        the series it has data in. `print(info.format())` shows it all."""
        return runinfo.run_info(
            self.client.runs,
            lambda handles: [s.name for s in self.common_series(handles)],
            self.fetch, self._resolved(run),  # type: ignore[arg-type]  # a run in, a run out
        )

    def console(self, run: RunsArg, search: str | None = None, *,
                regex: bool = False) -> pa.Table:
        """The console lines of the runs (run, console.line, .time, .stream, .text),
        in order; with `search`, only lines containing it (any case), or matching it
        as a regular expression with regex=True."""
        table = runinfo.fetch_capture(self.fetch, cap.CONSOLE_SERIES, run)
        return runinfo.search_console(table, search, regex)

    def progress(self, runs: RunsArg = None, *, latest: bool = True) -> pa.Table:
        """Progress bars of the runs: with latest=True (the default) one row per bar,
        its last update, with `eta` in seconds (null when unknown); else every update."""
        table = runinfo.fetch_capture(self.fetch, cap.PROGRESS_SERIES, runs)
        return runinfo.latest_progress(table) if latest else table

    def system_metrics(self, run: RunsArg, *, gpu: bool = False) -> pa.Table:
        """The `system` series of the runs (CPU, memory, disk and network I/O), or
        with gpu=True the `system.gpu` series (a row per GPU per sample)."""
        series = cap.GPU_SERIES if gpu else cap.SYSTEM_SERIES
        return runinfo.fetch_capture(self.fetch, series, run)

    def watch(self, after_sequence: int | None = None) -> EventStream:
        """Live events (`streamvis.model.events`), in commit order, until closed.

        The stream is subscribed when this returns, so no later change is missed.
        With `after_sequence`, RowsAppended events for chunks stored after it are
        replayed first. Close it (`close()`, `with`, or leaving a `for` loop over
        `sv.watch()`) to end it.
        """
        return EventStream(self.client, after_sequence)


def connect(
    uri: str | None = None, *, timeout: float = 30.0, token: str | None = None,
    tls: bool | None = None, tls_ca: str | os.PathLike[str] | None = None,
) -> Connection:
    """Connect to the streamvis server at `uri` ("host:port"; default: the
    STREAMVIS_URI environment variable, else localhost:8001).

    The channel opens lazily: a server that cannot be reached raises
    `UnavailableError` at the first call. `timeout` bounds each metadata call in
    seconds; data and event streams run as long as they need. `token` (else the
    STREAMVIS_TOKEN variable) authenticates; `tls=True` or a CA file `tls_ca` (else
    STREAMVIS_TLS_CA) connects over TLS.
    """
    return Connection(uri, timeout=timeout, token=token, tls=tls, tls_ca=tls_ca)

