"""The (scope, name, index) era's script API, over the data API: pandas DataFrames.

    from streamvis import script
    script.scopes()                                   # the runs: scope, tags, started_at
    script.names(scopes="baseline")                   # the series with data in them
    df = script.fetch("train/loss", scopes="baseline|ablation-.*")
    script.config(scopes="baseline")                  # one row of attributes per run

The older streamvis stored each write under (scope, name, index): a scope was one run
of a program, a name one kind of data, the index its count within them. Here a scope is
a run, named by any of its tags or by its handle; a name is a series; the index is a
row's position in its run's series (0, 1, ...), in the order rows were stored.

`scopes=` is a regular expression that selects the runs one of whose tags, or whose
handle, it matches (`re.search`: anywhere in it; anchor with `^...$` for the whole);
None selects every run. `names=` is the same for series names. These are the rules of
the `scopes=` and `names=` of a dashboard URL (docs/compat.md), so a script and a
dashboard select the same data.

Each call opens a connection to `uri` (default STREAMVIS_URI or localhost:8001) and
closes it; for more than a few calls, or Arrow tables, use `streamvis.connect()`.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import Run
from streamvis.query import Connection
from streamvis.query.runs import RunList

__all__ = ["config", "fetch", "names", "scopes"]

#: The columns `fetch` puts before the series' fields.
SCOPE, NAME, INDEX = "scope", "name", "index"


def _pattern(text: str | None, what: str) -> re.Pattern[str] | None:
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as exc:
        raise InvalidArgumentError(
            f"{what}={text!r} is not a regular expression ({exc}): give a Python regular "
            f"expression, e.g. {what}='baseline|ablation-.*'"
        ) from None


def run_matches(pattern: re.Pattern[str] | None, run: Run) -> bool:
    """Whether `scopes=` selects the run: one of its tags, or its handle, matches."""
    if pattern is None:
        return True
    return any(pattern.search(t) for t in run.tags) or bool(pattern.search(str(run.handle)))


def _runs(sv: Connection, scopes: str | None) -> RunList:
    pattern = _pattern(scopes, "scopes")
    return RunList(r for r in sv.runs() if run_matches(pattern, r))


def scopes(scopes: str | None = None, *, uri: str | None = None) -> pd.DataFrame:
    """The runs `scopes` selects, one row each: `scope` (the handle), `tags` (a list),
    `started_at` (a UTC timestamp), oldest first."""
    with Connection(uri) as sv:
        runs = sorted(_runs(sv, scopes), key=lambda r: r.started_at)
    return pd.DataFrame({
        SCOPE: [str(r.handle) for r in runs],
        "tags": [list(r.tags) for r in runs],
        "started_at": pd.to_datetime([r.started_at for r in runs], unit="s", utc=True),
    })


def names(
    scopes: str | None = None, names: str | None = None, *, uri: str | None = None
) -> pd.DataFrame:
    """The series (names) that have data in the selected runs: one row per run and
    series, `scope`, `name` and `rows` (how many rows it has in that run), by name.

    Series are found through the server's summaries, which cover series with a numeric
    field (every metric); a series of text or media only is fetched by name."""
    name_pattern = _pattern(names, "names")
    with Connection(uri) as sv:
        runs = _runs(sv, scopes)
        table = sv.summaries(runs=runs) if runs else None
    rows: dict[tuple[str, str], int] = {}
    if table is not None:
        for run, series, count in zip(table.column("run").to_pylist(),
                                      table.column("series").to_pylist(),
                                      table.column("rows").to_pylist(), strict=True):
            if name_pattern is None or name_pattern.search(series):
                rows[(run, series)] = count
    keys = sorted(rows, key=lambda k: (k[1], k[0]))
    return pd.DataFrame({SCOPE: [k[0] for k in keys], NAME: [k[1] for k in keys],
                         "rows": pd.array([rows[k] for k in keys], dtype="int64")})


def fetch(
    name: str, scopes: str | None = None, fields: list[str] | None = None, *,
    uri: str | None = None,
) -> pd.DataFrame:
    """The rows of series `name` in the selected runs: `scope`, `name`, `index` (the
    row's position in its run's series), then the series' fields (or `fields`)."""
    with Connection(uri) as sv:
        runs = _runs(sv, scopes)
        table = sv.fetch(name, fields, runs=runs, run_column=SCOPE) if runs else None
    if table is None:
        frame = pd.DataFrame({SCOPE: pd.Series([], dtype=object)})
    else:
        frame = table.to_pandas()
        frame[SCOPE] = frame[SCOPE].astype(str)
    frame.insert(1, NAME, name)
    frame.insert(2, INDEX, frame.groupby(SCOPE, sort=False).cumcount().astype("int64"))
    return frame


def config(scopes: str | None = None, *, uri: str | None = None) -> pd.DataFrame:
    """The selected runs' attributes (their configuration: `config.*`, what
    `write_config` set, what was captured), one row per run: `scope`, then a column per
    attribute name (missing where a run has none)."""
    with Connection(uri) as sv:
        runs = _runs(sv, scopes)
    frame: Any = runs.to_pandas().drop(columns=["started_at", "tags"])
    return frame.rename(columns={"handle": SCOPE})
