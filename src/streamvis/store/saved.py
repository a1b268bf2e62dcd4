"""Saved plot specs and dashboards: named JSON documents the browser stores and lists.

Both are kept the same way, one table each (`plots`, `dashboards`: name, spec as JSON
text, updated_at), and saving or deleting one publishes PlotChanged or
DashboardChanged, so open pages learn of the change live. They differ only in what
is checked before a document is stored:

- a plot spec is kept as given, once it is storable JSON: the service and the web app
  check its shape and types before saving (streamvis.checks.plot_specs), because only
  they know the fields it binds;
- a dashboard is checked here (plot_specs.check_dashboard: a URL layout and the names
  of the plots it shows), the one place every way in passes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streamvis.checks.plot_specs import check_dashboard, spec_json
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.events import DashboardChanged, Event, PlotChanged
from streamvis.model.schema import validate_name
from streamvis.store.core import SqlCore


@dataclass(frozen=True)
class _Kind:
    """One kind of saved document: its table (a fixed identifier, never user input),
    the word messages use, its change event and the check before it is stored."""

    table: str
    what: str

    @property
    def noun(self) -> str:
        return self.table.removesuffix("s")
    changed: Callable[[str, bool], Event]
    check: Callable[[str, object], dict[str, Any]]


def _storable(name: str, spec: object) -> dict[str, Any]:
    validate_name("plot", name)
    if not isinstance(spec, dict):
        raise InvalidArgumentError(
            f"plot spec {name!r} must be a JSON object (a dict), got {type(spec).__name__}"
        )
    return spec


PLOTS = _Kind("plots", "plot spec", PlotChanged, _storable)
DASHBOARDS = _Kind("dashboards", "dashboard", DashboardChanged, check_dashboard)


def _decode(text: object) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(str(text))
    return spec


class SavedMethods(SqlCore):
    """save/get/list/delete plot specs and dashboards."""

    def _save(self, kind: _Kind, name: str, spec: object) -> dict[str, Any]:
        stored = kind.check(name, spec)
        text = spec_json(stored, name, kind.what)
        with self._write() as s:
            s.run(
                f"INSERT INTO {kind.table} (name, spec, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, "
                "updated_at = excluded.updated_at",
                (name, text, time.time()),
            )
            s.publish_after_commit(kind.changed(name, False))  # noqa: FBT003 - the event's field
        return stored

    def _get(self, kind: _Kind, name: str) -> dict[str, Any]:
        with self._read() as s:
            row = s.one(f"SELECT spec FROM {kind.table} WHERE name = ?", (name,))
        if row is None:
            raise NotFoundError(f"no {kind.noun} named {name!r}: see the list of {kind.table}")
        return _decode(row[0])

    def _list(self, kind: _Kind) -> list[dict[str, Any]]:
        with self._read() as s:
            rows = s.all(f"SELECT spec FROM {kind.table} ORDER BY name")
        return [_decode(r[0]) for r in rows]

    def _delete(self, kind: _Kind, name: str) -> dict[str, Any]:
        with self._write() as s:
            # Read in the same transaction, so the reply is exactly what was deleted.
            row = s.one(f"SELECT spec FROM {kind.table} WHERE name = ?", (name,))
            if row is None:
                raise NotFoundError(f"no {kind.noun} named {name!r}: nothing was deleted")
            s.run(f"DELETE FROM {kind.table} WHERE name = ?", (name,))
            s.publish_after_commit(kind.changed(name, True))  # noqa: FBT003 - the event's field
        return _decode(row[0])

    def save_plot(self, name: str, spec: dict[str, Any]) -> None:
        self._save(PLOTS, name, spec)

    def get_plot(self, name: str) -> dict[str, Any]:
        return self._get(PLOTS, name)

    def list_plots(self) -> list[dict[str, Any]]:
        return self._list(PLOTS)

    def delete_plot(self, name: str) -> dict[str, Any]:
        return self._delete(PLOTS, name)

    def save_dashboard(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return self._save(DASHBOARDS, name, spec)

    def get_dashboard(self, name: str) -> dict[str, Any]:
        return self._get(DASHBOARDS, name)

    def list_dashboards(self) -> list[dict[str, Any]]:
        return self._list(DASHBOARDS)

    def delete_dashboard(self, name: str) -> dict[str, Any]:
        return self._delete(DASHBOARDS, name)
