"""Saved dashboards: a name and the URL layout of saved plots that it shows.

A dashboard is the query string of issue 4's URL layout (`rows=A,B;C&width=1,2`),
kept with the names of the plots it lays out, so a list can say what each one
shows without parsing it. The store checks the shape and keeps the rest of the
JSON object as given (titles, notes), like plot specs.
"""

from __future__ import annotations

import json
import time
from typing import Any

from streamvis.errors import InvalidArgumentError, NotFoundError
from streamvis.schema import validate_name
from streamvis.store.core import SqlCore

_MAX_CHARS = 64 * 1024


def check_dashboard(name: str, spec: object) -> dict[str, Any]:
    """The dashboard to store under `name`; raises InvalidArgumentError saying what is wrong."""
    validate_name("dashboard", name)
    if not isinstance(spec, dict):
        raise InvalidArgumentError(
            f"dashboard {name!r} must be a JSON object, got {type(spec).__name__}"
        )
    given = spec.get("name", name)
    if given != name:
        raise InvalidArgumentError(
            f"the dashboard is named {given!r} but is saved as {name!r}: make them the same"
        )
    layout = spec.get("layout")
    if not isinstance(layout, str) or not layout.startswith(("rows=", "cols=")):
        raise InvalidArgumentError(
            f'dashboard {name!r} needs "layout": a URL layout such as '
            '"rows=loss,accuracy;lr&height=2,1" (starting with rows= or cols=)'
        )
    plots = spec.get("plots", [])
    if not isinstance(plots, list) or not all(isinstance(p, str) and p for p in plots):
        raise InvalidArgumentError(
            f'dashboard {name!r}: "plots" must be an array of plot names'
        )
    out = {**spec, "name": name, "plots": plots}
    try:
        text = json.dumps(out, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"dashboard {name!r} cannot be stored as JSON ({exc}): use only objects, "
            "arrays, strings, finite numbers, booleans and null"
        ) from None
    if len(text) > _MAX_CHARS:
        raise InvalidArgumentError(
            f"dashboard {name!r} is {len(text)} characters of JSON: at most {_MAX_CHARS} "
            "are stored"
        )
    return out


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

    def delete_dashboard(self, name: str) -> None:
        with self._write() as s:
            if not s.run("DELETE FROM dashboards WHERE name = ?", (name,)).rowcount:
                raise NotFoundError(f"no dashboard named {name!r}: nothing was deleted")
