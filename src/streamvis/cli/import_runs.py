"""`streamvis import-runs FILE.jsonl`: create many runs from a file, one per line.

Each line is a JSON object with any of `handle` (a UUID; default: the server makes
one), `tags` (a list of strings), `attributes` (field name to value; the fields must
exist) and `started_at` (seconds since the epoch, or an ISO date/time, naive meaning
UTC; default: now). Blank lines are skipped. The whole file is read and checked first,
so a malformed line sends nothing; the runs then go to the server in batches of
MAX_RUNS_PER_CREATE (CreateRuns), each created whole or not at all. A batch the server
refuses stops the import, and the message says how many runs were created before it.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

from streamvis.checks.filter_text import parse_time
from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError, StreamvisError
from streamvis.model.limits import MAX_RUNS_PER_CREATE
from streamvis.model.schema import NewRun

_KEYS = frozenset({"handle", "tags", "attributes", "started_at"})


def _new_run(obj: Any, where: str) -> NewRun:
    if not isinstance(obj, dict):
        raise InvalidArgumentError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - _KEYS)
    if unknown:
        raise InvalidArgumentError(
            f"{where}: unknown key(s) {', '.join(unknown)}: a run has "
            f"{', '.join(sorted(_KEYS))}"
        )
    tags, attributes = obj.get("tags", []), obj.get("attributes", {})
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidArgumentError(f"{where}: tags must be a list of strings")
    if not isinstance(attributes, dict):
        raise InvalidArgumentError(f"{where}: attributes must be an object of field: value")
    started = obj.get("started_at")
    if isinstance(started, str):
        started = parse_time(started)
    elif started is not None and (isinstance(started, bool)
                                  or not isinstance(started, int | float)):
        raise InvalidArgumentError(
            f"{where}: started_at must be seconds since the epoch or an ISO date/time"
        )
    handle = obj.get("handle")
    try:
        parsed = None if handle is None else uuid.UUID(str(handle))
    except ValueError:
        raise InvalidArgumentError(f"{where}: handle {handle!r} is not a UUID") from None
    return NewRun(parsed, tags, attributes, None if started is None else float(started))


def read_runs(path: str) -> list[NewRun]:
    """The runs of a JSONL file ("-": standard input), every line checked."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidArgumentError(f"cannot read {path!r}: {exc.strerror}") from None
    runs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidArgumentError(f"{where}: not JSON ({exc.msg})") from None
        runs.append(_new_run(obj, where))
    return runs


def import_runs(client: Client, runs: list[NewRun]) -> int:
    """Create `runs` batch by batch; the number created."""
    done = 0
    for i in range(0, len(runs), MAX_RUNS_PER_CREATE):
        batch = runs[i:i + MAX_RUNS_PER_CREATE]
        try:
            done += len(client.create_runs(batch))
        except StreamvisError as exc:
            raise type(exc)(
                f"{exc} (runs {i + 1} to {i + len(batch)} of the file; the {done} before "
                "them were created: leave those out to carry on)"
            ) from None
    return done
