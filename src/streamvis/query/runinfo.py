"""What a run captured, read back: `sv.run_info`, `sv.console`, `sv.progress`,
`sv.system_metrics` (docs/data-api.md, "A run's capture").

The names are model/capture.py's: attributes grouped by their prefix, the long texts
of the `capture` series joined from their parts, and the `console`, `progress` and
`system` series as Arrow tables. A series no run has written yet reads as an empty
table with its columns, so a script need not ask first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model import capture as cap
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.schema import Run, RunFilter, Value
from streamvis.model.types import FieldType
from streamvis.query.filters import HandlesArg, RunsArg, handles_of

#: Fetches a series as `Connection.fetch` does (series, runs=...).
Fetch = Callable[..., pa.Table]


@dataclass(frozen=True)
class RunInfo:
    """A run with what it captured: attributes by group, long texts, its series."""

    run: Run
    #: Attributes by group: "command", "config", "git", "env", and "" for the rest.
    groups: dict[str, dict[str, Value]] = field(default_factory=dict)
    #: The long texts: "git.diff", "git.untracked", "env.packages", and any log_text key.
    texts: dict[str, str] = field(default_factory=dict)
    #: The series the run has data in, by name.
    series: list[str] = field(default_factory=list)

    @property
    def diff(self) -> str:
        return self.texts.get(cap.TEXT_DIFF, "")

    @property
    def packages(self) -> list[str]:
        return self.texts.get(cap.TEXT_PACKAGES, "").splitlines()

    def format(self) -> str:
        """A readable report: what `streamvis run HANDLE` prints."""
        run = self.run
        started = dt.datetime.fromtimestamp(run.started_at, dt.UTC)
        out = [f"run {run.handle}",
               f"  started_at  {started:%Y-%m-%d %H:%M:%S} UTC ({run.started_at:.3f})"]
        if run.tags:
            out.append(f"  tags        {', '.join(run.tags)}")
        for group in (*(p[:-1] for p in cap.PREFIXES), ""):
            attrs = self.groups.get(group)
            if not attrs:
                continue
            out.append(f"{group or 'attributes'}:")
            width = max(len(n) for n in attrs)
            out += [f"  {name.ljust(width)}  {value!r}" for name, value in attrs.items()]
        if self.series:
            out.append(f"series: {', '.join(self.series)}")
        for key, text in self.texts.items():
            lines = text.splitlines()
            out.append(f"{key} ({len(lines)} lines):")
            out += [f"  {line}" for line in lines]
        return "\n".join(out)


def empty_table(series: str) -> pa.Table:
    """The columns `fetch` gives for one of capture's series, with no rows."""
    names = ["run", *cap.SERIES[series]]
    types = [pa.string(), *(FieldType(cap.FIELDS[n]).row.arrow_type for n in names[1:])]
    return pa.table({n: pa.array([], t) for n, t in zip(names, types, strict=True)})


def fetch_capture(fetch: Fetch, series: str, runs: RunsArg) -> pa.Table:
    """A capture series of the runs, or an empty table where the series does not exist."""
    try:
        return fetch(series, runs=runs)
    except NotFoundError:
        return empty_table(series)


def run_info(runs_of: Callable[[RunFilter], list[Run]], common_series: Callable[..., list[str]],
             fetch: Fetch, run: HandlesArg) -> RunInfo:
    handles = handles_of(run)
    if len(handles) != 1:
        raise NotFoundError(f"run_info takes one run, got {len(handles)}: give one handle")
    found = runs_of(RunFilter(handles=handles))
    if not found:
        raise NotFoundError(f"run {handles[0]} does not exist: check the handle "
                            "(`streamvis runs` lists them)")
    the_run = found[0]
    groups: dict[str, dict[str, Value]] = {}
    for name, value in sorted(the_run.attributes.items()):
        groups.setdefault(cap.group_of(name), {})[name] = value
    texts = join_texts(fetch_capture(fetch, cap.CAPTURE_SERIES, handles))
    return RunInfo(the_run, groups, texts, common_series(handles))


def join_texts(table: pa.Table) -> dict[str, str]:
    """The capture series' rows as {key: text} (model/capture.py's join_texts)."""
    return cap.join_texts(zip(
        table.column(cap.CAPTURE_KEY).to_pylist(), table.column(cap.CAPTURE_PART).to_pylist(),
        table.column(cap.CAPTURE_TEXT).to_pylist(), strict=True,
    ))


def search_console(table: pa.Table, search: str | None, regex: bool) -> pa.Table:
    """The console lines that contain `search` (or match it, with regex=True)."""
    if not search:
        return table
    text = table.column(cap.CONSOLE_TEXT)
    if regex:
        try:
            re.compile(search)
        except re.error as exc:
            raise InvalidArgumentError(f"search pattern {search!r} is not a regular "
                                       f"expression ({exc}): fix it, or search plain text") from exc
        mask = pc.match_substring_regex(text, search)
    else:
        mask = pc.match_substring(text, search, ignore_case=True)
    return table.filter(mask)


def latest_progress(table: pa.Table) -> pa.Table:
    """One row per (run, bar): its last update, with `eta` seconds (null when unknown)."""
    if table.num_rows == 0:
        return table.append_column("eta", pa.array([], pa.float64()))
    runs = table.column("run").to_pylist()
    descs = table.column(cap.PROGRESS_DESC).to_pylist()
    last = {key: i for i, key in enumerate(zip(runs, descs, strict=True))}
    picked = table.take(sorted(last.values()))
    done = picked.column(cap.PROGRESS_DONE).to_pylist()
    total = picked.column(cap.PROGRESS_TOTAL).to_pylist()
    rate = picked.column(cap.PROGRESS_RATE).to_pylist()
    eta = [cap.eta_of(d, t, r) for d, t, r in zip(done, total, rate, strict=True)]
    return picked.append_column("eta", pa.array(eta, pa.float64()))

