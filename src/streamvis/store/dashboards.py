"""Saved dashboards: a name and the URL layout of saved plots that it shows.

A dashboard is the query string of issue 4's URL layout (`rows=A,B;C&width=1,2`),
kept with the names of the plots it lays out, so a list can say what each one
shows without parsing it. The store checks the shape (plot_specs.check_dashboard)
and keeps the rest of the JSON object as given (titles, notes), like plot specs.
Saving and deleting publish DashboardChanged, so open Dashboards pages list the
change live.
"""

from __future__ import annotations

import json
import time
from typing import Any

from streamvis.checks.plot_specs import check_dashboard
from streamvis.model.errors import NotFoundError
from streamvis.model.events import DashboardChanged
from streamvis.store.core import SqlCore


class DashboardMethods(SqlCore):
    """save/get/list/delete dashboards."""

    def save_dashboard(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        stored = check_dashboard(name, spec)
        text = json.dumps(stored, separators=(",", ":"), sort_keys=True)
        with self._write() as s:
            s.run(
                "INSERT INTO dashboards (name, spec, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, "
                "updated_at = excluded.updated_at",
                (name, text, time.time()),
            )
            s.publish_after_commit(DashboardChanged(name, deleted=False))
        return stored

    def get_dashboard(self, name: str) -> dict[str, Any]:
        with self._read() as s:
            row = s.one("SELECT spec FROM dashboards WHERE name = ?", (name,))
        if row is None:
            raise NotFoundError(f"no dashboard named {name!r}: see the list of dashboards")
        spec: dict[str, Any] = json.loads(str(row[0]))
        return spec

    def list_dashboards(self) -> list[dict[str, Any]]:
        with self._read() as s:
            rows = s.all("SELECT spec FROM dashboards ORDER BY name")
        return [json.loads(str(r[0])) for r in rows]

    def delete_dashboard(self, name: str) -> dict[str, Any]:
        with self._write() as s:
            # Read in the same transaction, so the reply is exactly what was deleted.
            row = s.one("SELECT spec FROM dashboards WHERE name = ?", (name,))
            if row is None:
                raise NotFoundError(f"no dashboard named {name!r}: nothing was deleted")
            s.run("DELETE FROM dashboards WHERE name = ?", (name,))
            s.publish_after_commit(DashboardChanged(name, deleted=True))
        spec: dict[str, Any] = json.loads(str(row[0]))
        return spec
