"""Controls: values a person sets in the web UI and a running program reads.

A program declares its controls on its run (`logger.control(...)`); the UI shows them
and sets their values; the logger polls them each flush and the program reads
`logger.controls[name]` without waiting. Each kind says what a value may be:

- button: a count of presses; setting it adds one press, whatever is sent;
- slider: a float in [min, max];
- text: a string (at most MAX_STRING_LENGTH characters);
- toggle: a bool.

Every set bumps the control's `version`, so a program can tell a new press (or the same
value set again) from nothing.
"""

from __future__ import annotations

import enum
import math
import uuid
from dataclasses import dataclass
from typing import Any

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_STRING_LENGTH
from streamvis.model.schema import validate_name

ControlValue = bool | int | float | str


class ControlKind(enum.StrEnum):
    BUTTON = "button"
    SLIDER = "slider"
    TEXT = "text"
    TOGGLE = "toggle"


@dataclass(frozen=True)
class ControlSpec:
    """What a program declares: a control's name, kind, default and (sliders) range."""

    name: str
    kind: ControlKind
    default: ControlValue
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Control:
    """A run's control as it stands: its spec, current value and version."""

    run: uuid.UUID
    spec: ControlSpec
    value: ControlValue
    version: int


def check_spec(
    name: object, kind: object, default: object = None, min: object = None,
    max: object = None,
) -> ControlSpec:
    """A valid spec; a missing default is the kind's (0 presses, min, "", False)."""
    checked_name = validate_name("control", name)  # type: ignore[arg-type]  # checks the type
    try:
        k = ControlKind(str(kind))
    except ValueError:
        raise InvalidArgumentError(
            f"control {checked_name!r} has kind {kind!r}: give one of "
            f"{', '.join(k.value for k in ControlKind)}"
        ) from None
    lo = hi = None
    if k is ControlKind.SLIDER:
        lo, hi = _number(checked_name, "min", 0.0 if min is None else min), _number(
            checked_name, "max", 1.0 if max is None else max)
        if not lo < hi:
            raise InvalidArgumentError(
                f"slider {checked_name!r} has min {lo} and max {hi}: give min < max"
            )
    elif min is not None or max is not None:
        raise InvalidArgumentError(f"control {checked_name!r} is a {k.value}: only sliders "
                                   "take min and max")
    spec = ControlSpec(checked_name, k, default=0, min=lo, max=hi)
    fallbacks: dict[ControlKind, ControlValue] = {
        ControlKind.BUTTON: 0, ControlKind.SLIDER: lo or 0.0, ControlKind.TEXT: "",
        ControlKind.TOGGLE: False,
    }
    fallback = fallbacks[k]
    value = fallback if default is None or k is ControlKind.BUTTON else check_value(spec, default)
    return ControlSpec(checked_name, k, value, lo, hi)


def _number(name: str, what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgumentError(f"slider {name!r}: {what} must be a finite number, "
                                   f"got {value!r}")
    return float(value)


def check_value(spec: ControlSpec, value: object) -> ControlValue:
    """`value` as the control's kind holds it; InvalidArgumentError says what is wrong."""
    what = f"{spec.kind.value} {spec.name!r}"
    match spec.kind:
        case ControlKind.BUTTON:
            return 0  # a press: the store counts it
        case ControlKind.SLIDER:
            v = _number(spec.name, "its value", value)
            assert spec.min is not None and spec.max is not None  # noqa: S101 - check_spec's
            if not spec.min <= v <= spec.max:
                raise InvalidArgumentError(
                    f"{what} takes values in [{spec.min}, {spec.max}], not {v}"
                )
            return v
        case ControlKind.TEXT:
            if not isinstance(value, str):
                raise InvalidArgumentError(f"{what} takes a string, got {value!r}")
            if len(value) > MAX_STRING_LENGTH:
                raise InvalidArgumentError(
                    f"{what} takes at most {MAX_STRING_LENGTH} characters, got {len(value)}"
                )
            return value
        case ControlKind.TOGGLE:
            if not isinstance(value, bool):
                raise InvalidArgumentError(f"{what} takes true or false, got {value!r}")
            return value


def spec_json(spec: ControlSpec) -> dict[str, Any]:
    return {"name": spec.name, "kind": spec.kind.value, "default": spec.default,
            "min": spec.min, "max": spec.max}


def spec_from_json(data: dict[str, Any]) -> ControlSpec:
    return check_spec(data.get("name"), data.get("kind"), data.get("default"),
                      data.get("min"), data.get("max"))


def control_json(c: Control) -> dict[str, Any]:
    return {"run": str(c.run), **spec_json(c.spec), "value": c.value, "version": c.version}
