"""What the framework integrations share: starting their run, and metric values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from streamvis.quick import QuickRun, init


def start_run(
    run: QuickRun | None, uri: str | None, tags: Sequence[str], options: Mapping[str, Any],
) -> QuickRun:
    """The run an integration logs to: the one given, or a new one (`streamvis.init`)."""
    if run is not None:
        return run
    return init(uri, tags=tags, **options)


def as_float(value: Any) -> float | None:
    """A metric as a Python float (tensors and numpy scalars too); None for what is not
    a number (a string a framework puts among its logs), which the caller skips."""
    if isinstance(value, bool):
        return float(value)
    item = getattr(value, "item", None)  # a tensor or numpy scalar: one host copy, here
    if item is not None and getattr(value, "ndim", 0) == 0:
        value = item()
    if isinstance(value, int | float):
        return float(value)
    return None


def float_metrics(metrics: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The numeric metrics of a framework's dict, as floats, keys prefixed (NaN kept: a
    diverging loss is worth seeing); non-numbers left out."""
    out: dict[str, float] = {}
    for key, value in metrics.items():
        number = as_float(value)
        if number is not None:
            out[f"{prefix}{key}"] = number
    return out


def without_none(config: Mapping[str, Any]) -> dict[str, Any]:
    """A framework's settings without the unset ones (None, at any depth): "not set" is
    no value, and stored as the text 'None' it would clash with the type a field takes
    from a run that set it."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        kept = without_none(value) if isinstance(value, Mapping) else value
        if kept is not None:
            out[key] = kept
    return out
