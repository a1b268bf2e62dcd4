"""Saved plot specs: named JSON documents the browser stores and lists.

The store keeps a spec as JSON text and does not look inside it; the web app checks
its shape before saving (streamvis.checks.plot_specs). Saving and deleting publish
PlotChanged, so open dashboards learn of the change live.
"""

from __future__ import annotations

import json
import time
from typing import Any

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.events import PlotChanged
from streamvis.model.schema import validate_name
from streamvis.store.core import SqlCore


def _encode(name: str, spec: dict[str, Any]) -> str:
    if not isinstance(spec, dict):
        raise InvalidArgumentError(
            f"plot spec {name!r} must be a JSON object (a dict), got {type(spec).__name__}"
        )
    try:
        text = json.dumps(spec, separators=(",", ":"), allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"plot spec {name!r} cannot be stored as JSON ({exc}): use only objects, "
            "arrays, strings, finite numbers, booleans and null"
        ) from None
    return text


def _decode(text: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(text)
    return spec


class PlotMethods(SqlCore):
    """save/get/list/delete plot specs."""

    def save_plot(self, name: str, spec: dict[str, Any]) -> None:
        validate_name("plot", name)
        text = _encode(name, spec)
        with self._write() as s:
            s.run(
                "INSERT INTO plots (name, spec, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, "
                "updated_at = excluded.updated_at",
                (name, text, time.time()),
            )
            s.publish_after_commit(PlotChanged(name, deleted=False))

    def get_plot(self, name: str) -> dict[str, Any]:
        with self._read() as s:
            row = s.one("SELECT spec FROM plots WHERE name = ?", (name,))
        if row is None:
            raise NotFoundError(f"no plot named {name!r}: see the list of plots")
        return _decode(str(row[0]))

    def list_plots(self) -> list[dict[str, Any]]:
        with self._read() as s:
            rows = s.all("SELECT spec FROM plots ORDER BY name")
        return [_decode(str(r[0])) for r in rows]

    def delete_plot(self, name: str) -> dict[str, Any]:
        with self._write() as s:
            # Read in the same transaction, so the reply is exactly what was deleted.
            row = s.one("SELECT spec FROM plots WHERE name = ?", (name,))
            if row is None:
                raise NotFoundError(f"no plot named {name!r}: nothing was deleted")
            s.run("DELETE FROM plots WHERE name = ?", (name,))
            s.publish_after_commit(PlotChanged(name, deleted=True))
        return _decode(str(row[0]))
