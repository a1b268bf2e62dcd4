"""The run page's routes: what one run captured, its console (live, searchable), and
the latest progress of runs for the run search (docs/http-api.md, "Run capture").

The names are model/capture.py's; the data is the store's ordinary attributes and
series, so nothing here writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.model import capture as cap
from streamvis.model.chunks import Chunk
from streamvis.model.errors import NotFoundError, ResourceExhaustedError
from streamvis.model.limits import MAX_CONSOLE_LINES, MAX_PROGRESS_RUNS
from streamvis.model.schema import RunFilter
from streamvis.store.base import Store
from streamvis.web.filters_json import json_value, name_list, run_json
from streamvis.web.http import JSON, blocking, int_param, run_handle, state


def _chunks(store: Store, runs: RunFilter, series: str, after: int = 0) -> Iterator[Chunk]:
    """The series' chunks of the runs; none where the series does not exist (yet)."""
    try:
        yield from store.query(runs, series, after_sequence=after)
    except NotFoundError:
        return


def _progress_rows(store: Store, runs: RunFilter) -> dict[str, list[dict[str, Any]]]:
    """Each run's bars, their last update, by run handle (in first-seen bar order)."""
    last: dict[str, dict[str, dict[str, Any]]] = {}
    for chunk in _chunks(store, runs, cap.PROGRESS_SERIES):
        bars = last.setdefault(str(chunk.run), {})
        for row in chunk.batch.to_pylist():
            bars[row[cap.PROGRESS_DESC]] = row
    out: dict[str, list[dict[str, Any]]] = {}
    for run, bars in last.items():
        out[run] = [{
            "desc": r[cap.PROGRESS_DESC], "done": r[cap.PROGRESS_DONE],
            "total": r[cap.PROGRESS_TOTAL], "rate": json_value(r[cap.PROGRESS_RATE]),
            "elapsed": json_value(r[cap.PROGRESS_ELAPSED]),
            "time": json_value(r[cap.PROGRESS_TIME]),
            "eta": cap.eta_of(r[cap.PROGRESS_DONE], r[cap.PROGRESS_TOTAL],
                              r[cap.PROGRESS_RATE]),
        } for r in bars.values()]
    return out


def _last_system(store: Store, runs: RunFilter) -> tuple[dict[str, Any] | None, list[Any]]:
    """The run's last `system` sample, and its GPUs' rows of the last `system.gpu` time."""
    last: dict[str, Any] | None = None
    for chunk in _chunks(store, runs, cap.SYSTEM_SERIES):
        if chunk.batch.num_rows:
            last = chunk.batch.slice(chunk.batch.num_rows - 1).to_pylist()[0]
    gpus: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(store, runs, cap.GPU_SERIES):
        for row in chunk.batch.to_pylist():
            gpus[row["gpu.index"]] = row
    newest = max((g["system.time"] for g in gpus.values()), default=None)
    recent = [g for _, g in sorted(gpus.items()) if g["system.time"] == newest]
    clean = {k: json_value(v) for k, v in last.items()} if last is not None else None
    return clean, [{k: json_value(v) for k, v in g.items()} for g in recent]


async def run_capture(request: Request) -> Response:
    """GET /api/runs/{handle}/capture: the run, attributes by group, texts, series, bars,
    the last system sample and GPU rows."""
    handle = await run_handle(request)
    store = state(request).store

    def work() -> dict[str, Any]:
        run = store.get_run(handle)
        counts = store.series_row_counts(handle)
        only = RunFilter(handles=(handle,))
        rows = (
            (key, part, text)
            for chunk in _chunks(store, only, cap.CAPTURE_SERIES)
            for key, part, text in zip(
                chunk.batch.column(cap.CAPTURE_KEY).to_pylist(),
                chunk.batch.column(cap.CAPTURE_PART).to_pylist(),
                chunk.batch.column(cap.CAPTURE_TEXT).to_pylist(), strict=True,
            )
        )
        groups: dict[str, dict[str, Any]] = {}
        for name, value in sorted(run.attributes.items()):
            groups.setdefault(cap.group_of(name), {})[name] = json_value(value)
        system, gpus = _last_system(store, only)
        return {
            **run_json(run), "groups": groups, "texts": cap.join_texts(rows),
            "system": system, "gpus": gpus,
            "series": [{"name": n, "rows": c} for n, c in counts.items()],
            "progress": _progress_rows(store, only).get(str(handle), []),
        }

    return JSON(await blocking(work))


async def run_console(request: Request) -> Response:
    """GET /api/runs/{handle}/console?after=SEQ&search=TEXT: lines stored after chunk
    sequence SEQ (0: from the start), those containing TEXT (any case) if given, at
    most MAX_CONSOLE_LINES; `next` is the sequence to ask after next time."""
    handle = await run_handle(request)
    after = int_param(request, "after", 0)
    search = request.query_params.get("search", "").lower()
    store = state(request).store

    def work() -> dict[str, Any]:
        store.get_run(handle)  # an unknown run is a 404, not an empty console
        lines: list[dict[str, Any]] = []
        last = after
        for chunk in _chunks(store, RunFilter(handles=(handle,)), cap.CONSOLE_SERIES, after):
            if len(lines) >= MAX_CONSOLE_LINES:
                break
            last = chunk.sequence
            lines.extend(
                {"line": row[cap.CONSOLE_LINE], "time": row[cap.CONSOLE_TIME],
                 "stream": row[cap.CONSOLE_STREAM], "text": row[cap.CONSOLE_TEXT]}
                for row in chunk.batch.to_pylist()
                if not search or search in row[cap.CONSOLE_TEXT].lower()
            )
        return {"lines": lines, "next": last}

    return JSON(await blocking(work))


async def _named_runs(request: Request, what: str) -> tuple[uuid.UUID, ...]:
    """The runs of `?runs=H1,H2` (whole handles or unique prefixes), at most
    MAX_PROGRESS_RUNS of them."""
    names = name_list(request.query_params.get("runs"))
    if len(names) > MAX_PROGRESS_RUNS:
        raise ResourceExhaustedError(
            f"{len(names)} runs named: ask for the {what} of at most "
            f"{MAX_PROGRESS_RUNS} runs at once (MAX_PROGRESS_RUNS)"
        )
    return tuple([await run_handle(request, h) for h in names])


async def progress(request: Request) -> Response:
    """GET /api/progress?runs=H1,H2: each run's progress bars, their last update."""
    handles = await _named_runs(request, "progress")
    store = state(request).store
    if not handles:
        return JSON({})
    return JSON(await blocking(_progress_rows, store, RunFilter(handles=handles)))


async def run_rows(request: Request) -> Response:
    """GET /api/run-rows?runs=H1,H2: {handle: rows} over each run's own series (what
    capture writes left out); a run without rows is 0."""
    handles = await _named_runs(request, "row counts")
    counts = await blocking(state(request).store.run_row_counts, handles, tuple(cap.SERIES))
    return JSON({str(h): counts.get(h, 0) for h in handles})


async def run_times(request: Request) -> Response:
    """GET /api/run-times?runs=H1,H2: {handle: seconds since the epoch} when each run's
    last rows were written (its duration ends there while it runs); runs without rows or
    without stored times are left out."""
    handles = await _named_runs(request, "last data times")
    times = await blocking(state(request).store.last_data_times, handles)
    return JSON({str(h): t for h, t in times.items()})


ROUTES: list[BaseRoute] = [
    Route("/api/runs/{handle}/capture", run_capture, methods=["GET"]),
    Route("/api/runs/{handle}/console", run_console, methods=["GET"]),
    Route("/api/progress", progress, methods=["GET"]),
    Route("/api/run-rows", run_rows, methods=["GET"]),
    Route("/api/run-times", run_times, methods=["GET"]),
]
