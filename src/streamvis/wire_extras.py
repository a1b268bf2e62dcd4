"""Artifacts and controls on the wire: their messages to and from the model's types.

Beside wire.py (fields, runs, columns), for the messages of the blob storage and the
controls (service.proto, "Artifacts" and "Controls").
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from streamvis.model.artifacts import Artifact
from streamvis.model.controls import Control, ControlSpec, check_spec
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.run_summaries import FieldSummary, SeriesSummary
from streamvis.v1 import service_pb2 as pb

# -- artifacts -----------------------------------------------------------------


def artifact_to_pb(a: Artifact) -> pb.Artifact:
    return pb.Artifact(
        run=str(a.run), name=a.name, step=a.step, size=a.size, sha256=a.sha256,
        media_type=a.media_type, created_at=a.created_at,
    )


def artifact_from_pb(m: pb.Artifact) -> Artifact:
    return Artifact(
        run=uuid.UUID(m.run), name=m.name, step=m.step if m.HasField("step") else None,
        size=m.size, sha256=m.sha256, media_type=m.media_type, created_at=m.created_at,
    )


# -- controls --------------------------------------------------------------------


def control_spec_to_pb(spec: ControlSpec) -> pb.Control:
    return pb.Control(name=spec.name, kind=spec.kind.value,
                      default_json=json.dumps(spec.default), min=spec.min, max=spec.max)


def control_spec_from_pb(m: pb.Control) -> ControlSpec:
    """The spec a message declares, checked (InvalidArgumentError)."""
    return check_spec(m.name, m.kind, json_value(m.default_json, f"control {m.name!r}"),
                      m.min if m.HasField("min") else None, m.max if m.HasField("max") else None)


def control_to_pb(c: Control) -> pb.Control:
    m = control_spec_to_pb(c.spec)
    m.value_json, m.version, m.run = json.dumps(c.value), c.version, str(c.run)
    return m


def control_from_pb(m: pb.Control) -> Control:
    return Control(uuid.UUID(m.run), control_spec_from_pb(m), json.loads(m.value_json),
                   m.version)


def json_value(text: str, what: str) -> Any:
    """A JSON value from a message ("" is none)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidArgumentError(f"{what}: {text[:80]!r} is not JSON: send a JSON value") \
            from None


# -- summaries -----------------------------------------------------------------


def summary_to_pb(s: SeriesSummary) -> pb.SeriesSummary:
    out = pb.SeriesSummary(run=str(s.run), series=s.series, rows=s.rows)
    for name, f in s.fields.items():
        m = out.fields.add(field=name, integer=isinstance(f.last, int))
        for key in ("last", "min", "max"):
            value = getattr(f, key)
            if value is not None:
                setattr(m, key, float(value))
    return out


def summary_from_pb(m: pb.SeriesSummary) -> SeriesSummary:
    def value(f: pb.FieldSummary, key: str) -> int | float | None:
        if not f.HasField(key):  # type: ignore[arg-type]
            return None
        v: float = getattr(f, key)
        return int(v) if f.integer else v

    return SeriesSummary(
        run=uuid.UUID(m.run), series=m.series, rows=m.rows,
        fields={f.field: FieldSummary(value(f, "last"), value(f, "min"), value(f, "max"))
                for f in m.fields},
    )
