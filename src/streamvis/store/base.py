"""The store interface: the one narrow contract both backends implement.

Every method either applies its change whole, inside one transaction, or raises a
`StreamvisError` and changes nothing. Every committed change is published on
`store.events` after its commit, in commit order.

Values are stored columnar, in chunks: one chunk per append per (run, series). Each
chunk has a sequence number, unique across the store and assigned in commit order,
so "every chunk with sequence > N" read at any moment never misses a chunk that a
concurrent writer commits afterwards.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.artifacts import Artifact, BlobStatus
from streamvis.model.chunks import AppendResult, Chunk, ChunkInfo
from streamvis.model.controls import Control, ControlSpec
from streamvis.model.events import EventHub
from streamvis.model.media import FieldOptions
from streamvis.model.schema import (
    Field,
    FieldType,
    NewField,
    NewRun,
    Run,
    RunFacets,
    RunFilter,
    RunJsonPage,
    RunPage,
    Series,
    Value,
)
from streamvis.store.bucket_rows import Steps
from streamvis.store.summaries import LineSummaries
from streamvis.store.summary_groups import LineTops


class Store(abc.ABC):
    """Fields, series, runs and chunked column data, durable and transactional."""

    def __init__(self) -> None:
        self.events = EventHub()

    # -- fields ---------------------------------------------------------------

    @abc.abstractmethod
    def create_field(
        self, name: str, type: FieldType, description: str = "",
        options: FieldOptions | Mapping[str, Any] | None = None,
    ) -> Field:
        """Raises AlreadyExistsError if the name is taken; InvalidArgumentError for
        options the type does not take (model/media.py)."""

    @abc.abstractmethod
    def create_fields(self, fields: Sequence[NewField]) -> list[Field]:
        """Create the fields given, in one transaction: all of them or none. Raises
        AlreadyExistsError if any name is taken (naming it), InvalidArgumentError for a
        bad one or a name given twice, ResourceExhaustedError past
        MAX_FIELDS_PER_CREATE."""

    @abc.abstractmethod
    def update_field(
        self,
        target: str | uuid.UUID,
        *,
        new_name: str | None = None,
        description: str | None = None,
    ) -> Field:
        """Rename and/or describe the field named (str) or with handle (UUID) `target`."""

    @abc.abstractmethod
    def list_fields(self) -> list[Field]:
        """Every field, by name."""

    # -- series ---------------------------------------------------------------

    @abc.abstractmethod
    def create_series(self, name: str, fields: Sequence[str], x: str | None = None) -> Series:
        """Raises AlreadyExistsError if the name is taken, NotFoundError for a field,
        InvalidArgumentError for an `x` that is not an int or float field of it."""

    @abc.abstractmethod
    def list_series(self) -> list[Series]:
        """Every series, by name."""

    @abc.abstractmethod
    def delete_empty_series(self, name: str) -> None:
        """Raises FailedPreconditionError if any run has data in the series."""

    @abc.abstractmethod
    def list_common_series(self, run_filter: RunFilter) -> list[Series]:
        """Series that have data in every run the filter matches (none if no run)."""

    @abc.abstractmethod
    def series_row_counts(self, handle: uuid.UUID) -> dict[str, int]:
        """Rows the run has in each series it has data in, by series name. Raises
        NotFoundError for an unknown run."""

    @abc.abstractmethod
    def run_row_counts(
        self, handles: Sequence[uuid.UUID], skip_series: Sequence[str] = (),
    ) -> dict[uuid.UUID, int]:
        """Rows each of the runs has, over every series but `skip_series`: one query.
        A run without rows (or unknown) is left out."""

    @abc.abstractmethod
    def last_data_times(self, handles: Sequence[uuid.UUID]) -> dict[uuid.UUID, float]:
        """When each run's last rows were written (seconds since the epoch, UTC): the
        latest `_time` of its last committed chunk, one chunk read per run. A run without
        rows, or whose last chunk predates stored times, is left out."""

    # -- runs -----------------------------------------------------------------

    @abc.abstractmethod
    def create_run(
        self,
        handle: uuid.UUID | None = None,
        tags: Sequence[str] = (),
        attributes: Mapping[str, object] | None = None,
        started_at: float | None = None,
    ) -> Run:
        """Raises AlreadyExistsError if `handle` exists. Publishes RunCreated."""

    @abc.abstractmethod
    def replace_run(
        self,
        handle: uuid.UUID,
        tags: Sequence[str] = (),
        attributes: Mapping[str, object] | None = None,
        started_at: float | None = None,
    ) -> Run:
        """Delete the run `handle` with all its data if it exists, then create it.

        One transaction. Publishes RunReplaced (RunCreated if there was none).
        """

    @abc.abstractmethod
    def resume_run(
        self,
        handle: uuid.UUID,
        tags: Sequence[str] = (),
        attributes: Mapping[str, object] | None = None,
        started_at: float | None = None,
    ) -> Run:
        """Keep the run `handle` with its data, add `tags` and set `attributes`; create it
        (started at `started_at`) if there is none.

        One transaction. Publishes RunCreated for a new run, else TagsChanged and
        AttributesChanged for what changed.
        """

    @abc.abstractmethod
    def delete_run(self, handle: uuid.UUID) -> None:
        """Delete a run with its tags, attributes and chunks. Publishes RunDeleted."""

    @abc.abstractmethod
    def get_run(self, handle: uuid.UUID) -> Run:
        """Raises NotFoundError."""

    @abc.abstractmethod
    def resolve_run_handle(self, text: str) -> uuid.UUID:
        """The run whose handle is `text` or starts with it (at least MIN_HANDLE_PREFIX
        hex digits): NotFoundError if none, InvalidArgumentError naming the matches if
        more than one."""

    @abc.abstractmethod
    def list_runs(self, run_filter: RunFilter, limit: int | None = None) -> list[Run]:
        """Matching runs, newest started_at first."""

    @abc.abstractmethod
    def create_runs(self, runs: Sequence[NewRun]) -> list[Run]:
        """Create a batch of runs (at most MAX_RUNS_PER_CREATE) in one transaction, all
        or none: AlreadyExistsError if any handle exists. Publishes RunCreated for each."""

    @abc.abstractmethod
    def list_runs_page(
        self, run_filter: RunFilter, after: str | None = None, limit: int = 1000,
        *, count: bool = True,
    ) -> RunPage:
        """One page of matching runs, newest started_at first (then newest id): at most
        `limit` (MAX_RUNS_PER_PAGE), starting after the page whose `next` token is
        `after`. The first page (no `after`) counts every match in `total`, unless
        `count` is false (a listing that reads every page needs no count)."""

    @abc.abstractmethod
    def list_runs_json_page(
        self, run_filter: RunFilter, after: str | None = None, limit: int = 1000,
        *, count: bool = True,
    ) -> RunJsonPage:
        """As `list_runs_page`, each run as the text of its JSON object (the web app's
        encoding of a `Run`), written by the database (store/run_listing.py)."""

    @abc.abstractmethod
    def search_runs_json(
        self, run_filter: RunFilter, text: str = "", *, sort: str = "started_at",
        descending: bool = True, offset: int = 0, limit: int = 100,
    ) -> RunJsonPage:
        """The run search page's rows: matches of the filter and of `text` (a handle
        prefix or part of a tag, any case), sorted by started_at, handle or an attribute
        (runs without it last), `limit` of them from position `offset`, as
        `list_runs_json_page` gives them; `total` counts every match."""

    @abc.abstractmethod
    def run_facets(
        self, run_filter: RunFilter, text: str = "", *, values: bool = True,
    ) -> RunFacets:
        """The search page's counts for this filter and text (store/run_search.py);
        without `values`, no numeric field's distinct values."""

    @abc.abstractmethod
    def iter_runs(self, run_filter: RunFilter, page: int = 1000) -> Iterator[Run]:
        """Every matching run, as `list_runs` orders them, read `page` runs at a time."""

    @abc.abstractmethod
    def add_run_tag(self, handle: uuid.UUID, tag: str) -> Run:
        """Idempotent. Publishes TagsChanged."""

    @abc.abstractmethod
    def delete_run_tag(self, handle: uuid.UUID, tag: str) -> Run:
        """Idempotent. Publishes TagsChanged."""

    @abc.abstractmethod
    def list_tags(self, run_filter: RunFilter) -> list[tuple[str, int]]:
        """(tag, number of matching runs with it), by tag."""

    @abc.abstractmethod
    def set_run_attributes(
        self, handle: uuid.UUID, attributes: Mapping[str, object], *, keep_existing: bool = False,
    ) -> Run:
        """Set (replace) attribute values, each checked against its field's type.

        With `keep_existing`, a value the run has already may only be given again as it
        is: a different one raises AlreadyExistsError and nothing is set.
        """

    @abc.abstractmethod
    def list_attribute_values(
        self, run_filter: RunFilter, fields: Sequence[str] = ()
    ) -> dict[str, list[tuple[Value, int]]]:
        """field name -> (value, run count) sorted by value, over matching runs."""

    @abc.abstractmethod
    def list_common_attributes(self, run_filter: RunFilter) -> list[Field]:
        """Fields that every matching run has an attribute value for."""

    @abc.abstractmethod
    def list_started_at(self, run_filter: RunFilter) -> list[float]:
        """started_at of every matching run, ascending."""

    # -- data -----------------------------------------------------------------

    @abc.abstractmethod
    def append(
        self,
        run: uuid.UUID,
        series: str,
        columns: Mapping[str, pa.Array],
        idempotency_key: str | None = None,
    ) -> AppendResult:
        """Store one chunk, validated by `schema.validate_columns`; one transaction.

        With an idempotency key that was stored before, store nothing and return the
        first append's result with duplicate=True. Publishes RowsAppended.
        """

    @abc.abstractmethod
    def query(
        self,
        run_filter: RunFilter,
        series: str,
        fields: Sequence[str] = (),
        attributes: Sequence[str] = (),
        after_sequence: int = 0,
        *,
        as_stored: bool = False,
    ) -> Iterator[Chunk]:
        """Chunks of `series` for matching runs, ascending sequence, memory bounded.

        `fields` empty means every field of the series. Runs lacking a requested
        attribute are left out. Float columns come as float64, or with `as_stored` at
        the width each chunk was stored at (float32 where the logger sent float32).
        """

    @abc.abstractmethod
    def chunks_after(self, sequence: int, limit: int = 10_000) -> list[ChunkInfo]:
        """Chunk metadata with sequence > `sequence`, ascending, at most `limit`."""

    @abc.abstractmethod
    def last_sequence(self) -> int:
        """The highest committed chunk sequence (0 for none)."""

    # -- line summaries (store/summaries.py) ------------------------------------

    @abc.abstractmethod
    def line_summaries(
        self, run: uuid.UUID, series: str, field: str, after_sequence: int = 0,
    ) -> LineSummaries | None:
        """The run's per-chunk M4 summaries of `field` after `after_sequence`, in order.

        None if the series has no int field to summarize against or `field` is not
        a summarized (numeric, non-x) field of it. Builds missing ones (old chunks).
        """

    @abc.abstractmethod
    def line_tops(
        self, run: uuid.UUID, series: str, field: str, after_group: int = 0,
    ) -> LineTops | None:
        """Each of the run's chunks of `series` from group `after_group` on, with the top
        record of its summary of `field` (the bucket spanning it), in order.

        What a line over many chunks reads first (store/summary_groups.py): chunks in
        whole groups of `GROUP` come from one stored row per group; the rest from
        their heads. Stores the whole groups it finds unstored, and builds the
        summaries of old chunks. None as for `line_summaries`. A caller holding
        `whole` groups asks `after_group=whole` for what came after them.
        """

    @abc.abstractmethod
    def line_heads(
        self, run: uuid.UUID, series: str, field: str, sequences: Sequence[int],
    ) -> dict[int, npt.NDArray[Any]]:
        """The summary records above level 0 of the run's chunks asked (by sequence),
        lowest level first; chunks without a summary or absent are left out."""

    @abc.abstractmethod
    def line_bottoms(
        self, run: uuid.UUID, series: str, field: str, sequences: Sequence[int],
    ) -> dict[int, npt.NDArray[Any]]:
        """The level-0 summary records of the run's chunks asked (by sequence) of `field`.

        Chunks without a summary (x decreasing) or absent are left out.
        """

    @abc.abstractmethod
    def line_rows(
        self, run: uuid.UUID, series: str, field: str, buckets: Sequence[tuple[int, int]],
    ) -> list[tuple[npt.NDArray[np.int64] | Steps, npt.NDArray[Any]]]:
        """The (x, `field`) values of each level-0 bucket asked, as (sequence, bucket):
        x as its `Steps` where it rises by a constant step.

        Only for chunks `line_summaries` has listed with a summary; NotFoundError if
        one is gone (its run deleted meanwhile).
        """

    @abc.abstractmethod
    def line_values(
        self, series: str, field: str, asks: Sequence[tuple[uuid.UUID, Sequence[int]]],
    ) -> list[tuple[npt.NDArray[Any], npt.NDArray[Any]] | None]:
        """Per (run, chunk sequences) asked, the (x, `field`) values of those chunks in
        row order, read from their level-0 buckets: all runs in one query.

        None for a run with a chunk whose buckets lack raw rows (one of a single x need
        not keep them): read that line through its summaries. Only for chunks
        `line_tops` has listed with a summary; NotFoundError if one is gone.
        """

    @abc.abstractmethod
    def line_xs(
        self, series: str, field: str, runs: Sequence[uuid.UUID],
    ) -> dict[uuid.UUID, npt.NDArray[Any]] | None:
        """Each run's column `field` of `series`, in row order, read from the level-0
        buckets of the series' line x (the int field it names, else its first int
        field), not from the chunks.

        None when `field` is not that x, or a chunk of these runs has no bucket rows of
        it or keeps them in the chunk (a broadcast step): read the column instead.
        """

    # -- plots ----------------------------------------------------------------

    @abc.abstractmethod
    def save_plot(self, name: str, spec: dict[str, Any]) -> None:
        """Store a plot spec (a JSON object) under `name`, replacing one of that name.

        The store does not look inside the spec. Publishes PlotChanged.
        """

    @abc.abstractmethod
    def get_plot(self, name: str) -> dict[str, Any]:
        """The spec saved under `name`; raises NotFoundError."""

    @abc.abstractmethod
    def list_plots(self) -> list[dict[str, Any]]:
        """Every saved spec, by name."""

    @abc.abstractmethod
    def delete_plot(self, name: str) -> dict[str, Any]:
        """Returns the deleted spec. Raises NotFoundError if there is none. Publishes
        PlotChanged(deleted=True)."""

    # -- dashboards -------------------------------------------------------------

    @abc.abstractmethod
    def save_dashboard(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Store a dashboard (`{"layout": "rows=...", "plots": [...]}`) under `name`,
        replacing one of that name; returns what was stored. Raises InvalidArgumentError.
        Publishes DashboardChanged."""

    @abc.abstractmethod
    def get_dashboard(self, name: str) -> dict[str, Any]:
        """The dashboard saved under `name`; raises NotFoundError."""

    @abc.abstractmethod
    def list_dashboards(self) -> list[dict[str, Any]]:
        """Every saved dashboard, by name."""

    @abc.abstractmethod
    def delete_dashboard(self, name: str) -> dict[str, Any]:
        """Returns the deleted dashboard. Raises NotFoundError if there is none. Publishes
        DashboardChanged(deleted=True)."""

    # -- blobs and artifacts (store/blobs.py) -------------------------------------

    @abc.abstractmethod
    def begin_blob(self, sha256: str, size: int, max_bytes: int | None = None) -> BlobStatus:
        """Start or resume storing a blob; says whether it is complete, else which parts
        are stored. ResourceExhaustedError above `max_bytes`, storing nothing."""

    @abc.abstractmethod
    def put_blob_part(self, sha256: str, index: int, data: bytes) -> None:
        """Store one part (BLOB_PART_BYTES, the last one shorter) of a begun blob."""

    @abc.abstractmethod
    def finish_blob(self, sha256: str) -> BlobStatus:
        """Check every part is there and hashes to `sha256`; mark the blob complete."""

    @abc.abstractmethod
    def blob_status(self, sha256: str) -> BlobStatus:
        """What the store has of a blob; NotFoundError if nothing."""

    @abc.abstractmethod
    def read_blob_part(self, sha256: str, index: int) -> bytes:
        """One part of a complete blob."""

    @abc.abstractmethod
    def iter_blob(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes [start, end) of a complete blob, one part at a time."""

    @abc.abstractmethod
    def collect_blobs(self, older_than_s: float = 24 * 3600.0) -> int:
        """Delete old unfinished or unreferenced blobs; returns how many."""

    @abc.abstractmethod
    def save_artifact(
        self, run: uuid.UUID, name: str, sha256: str, step: int | None = None,
        media_type: str = "",
    ) -> Artifact:
        """Reference a complete blob from a run under `name` and `step` (replacing)."""

    @abc.abstractmethod
    def list_artifacts(self, run: uuid.UUID) -> list[Artifact]:
        """The run's artifacts, by name and step."""

    @abc.abstractmethod
    def get_artifact(self, run: uuid.UUID, name: str, step: int | None = None) -> Artifact:
        """One artifact; without a step, the one with none, else the latest."""

    # -- controls (store/controls.py) -------------------------------------------------

    @abc.abstractmethod
    def declare_controls(self, run: uuid.UUID, specs: Sequence[ControlSpec]) -> list[Control]:
        """Add or update the run's controls (a value that still fits is kept)."""

    @abc.abstractmethod
    def list_controls(self, run: uuid.UUID) -> list[Control]:
        """The run's controls with their values, by name."""

    @abc.abstractmethod
    def set_control(self, run: uuid.UUID, name: str, value: object) -> Control:
        """Set one control's value (a button: one more press); bumps its version."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
