"""Controls of runs (model/controls.py): declared by a program, set from the UI.

One row per (run, name) in `controls`: the spec and the value as JSON text, and a
version that every set bumps. Declaring again keeps the value when the kind is the
same and the value still fits the spec (a restarted program keeps what the UI set);
otherwise the value is the new default.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence

from streamvis.model.controls import (
    Control,
    ControlKind,
    ControlSpec,
    check_value,
    spec_from_json,
    spec_json,
)
from streamvis.model.errors import InvalidArgumentError, NotFoundError, StreamvisError
from streamvis.model.limits import MAX_CONTROLS
from streamvis.model.schema import validate_name
from streamvis.store.core import SqlCore, check_handle
from streamvis.store.dialect import Row, Session


def _control(run: uuid.UUID, row: Row) -> Control:
    spec = spec_from_json(json.loads(str(row[0])))
    return Control(run, spec, json.loads(str(row[1])), int(row[2]))


class ControlMethods(SqlCore):
    """declare_controls, list_controls, set_control."""

    def declare_controls(self, run: uuid.UUID, specs: Sequence[ControlSpec]) -> list[Control]:
        h = check_handle(run)
        with self._write() as s:
            run_id = self._run_id(s, h, lock=True)
            have = {str(r[0]): r for r in s.all(
                "SELECT name, spec, value, version FROM controls WHERE run_id = ?", (run_id,)
            )}
            if len(set(have) | {sp.name for sp in specs}) > MAX_CONTROLS:
                raise InvalidArgumentError(
                    f"run {h} would have more than {MAX_CONTROLS} controls: declare fewer"
                )
            for spec in specs:
                old = have.get(spec.name)
                value = spec.default
                if old is not None:
                    kept = json.loads(str(old[2]))
                    if spec_from_json(json.loads(str(old[1]))).kind is spec.kind:
                        try:
                            value = check_value(spec, kept) if spec.kind is not \
                                ControlKind.BUTTON else kept
                        except StreamvisError:
                            value = spec.default
                s.run(
                    "INSERT INTO controls (run_id, name, spec, value, version, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET "
                    "spec = excluded.spec, value = excluded.value, "
                    "updated_at = excluded.updated_at",
                    (run_id, spec.name, json.dumps(spec_json(spec)), json.dumps(value),
                     0, time.time()),
                )
            return self._controls(s, h, run_id)

    def list_controls(self, run: uuid.UUID) -> list[Control]:
        h = check_handle(run)
        with self._read() as s:
            return self._controls(s, h, self._run_id(s, h))

    def set_control(self, run: uuid.UUID, name: str, value: object) -> Control:
        """Set a control's value (a button: one more press); bumps its version."""
        h, name = check_handle(run), validate_name("control", name)
        with self._write() as s:
            run_id = self._run_id(s, h)
            row = s.one(
                f"SELECT spec, value, version FROM controls WHERE run_id = ? AND name = ?"
                f"{self.dialect.for_update}", (run_id, name),
            )
            if row is None:
                raise NotFoundError(
                    f"run {h} has no control {name!r}: the program declares its controls "
                    "(logger.control)"
                )
            current = _control(h, row)
            new = (int(current.value) + 1 if current.spec.kind is ControlKind.BUTTON
                   else check_value(current.spec, value))
            s.run(
                "UPDATE controls SET value = ?, version = version + 1, updated_at = ? "
                "WHERE run_id = ? AND name = ?",
                (json.dumps(new), time.time(), run_id, name),
            )
        return Control(h, current.spec, new, current.version + 1)

    def _controls(self, s: Session, h: uuid.UUID, run_id: int) -> list[Control]:
        rows = s.all(
            "SELECT spec, value, version FROM controls WHERE run_id = ? ORDER BY name",
            (run_id,),
        )
        return [_control(h, r) for r in rows]
