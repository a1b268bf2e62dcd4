"""A line plot's `smooth` setting: which smoothing is drawn over the faint raw line.

The browser smooths the points it holds (docs/decisions/0017-line-family.md says why
there and not on the server); the server only checks the setting before a spec is saved.
The method names and their meaning are here, the one place both the check and the docs
read them; frontend/src/lib/data/smooth.ts computes them.
"""

from __future__ import annotations

from streamvis.checks.grammar import Kind
from streamvis.checks.json_checks import expect_object, integer, number
from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.limits import MAX_SMOOTH_WINDOW

#: Smoothing methods by name, with what the number given means.
METHODS: dict[str, str] = {
    "ema": "exponential moving average with TensorBoard's de-biasing; the weight, "
           "0 (none) to below 1 (smoothest)",
    "window": "mean of the last N points (a trailing moving window); N, 1 or more",
}


def check_smooth(value: object, kind: Kind) -> None:
    """A plot spec's `smooth` object, `{"ema": 0.6}` or `{"window": 25}`, for a plot of
    `kind`; raises saying what is wrong."""
    if kind.painter != "line":
        raise InvalidArgumentError(
            f'"smooth" draws a smoothed line over each line; a {kind.id} plot has none: '
            "remove it, or make the plot a line plot"
        )
    body = expect_object(value, "smooth")
    if len(body) != 1 or next(iter(body)) not in METHODS:
        raise InvalidArgumentError(
            f"smooth must name one method, {' or '.join(METHODS)}, e.g. "
            f'{{"ema": 0.6}} or {{"window": 25}}; got keys {sorted(body)}'
        )
    method, amount = next(iter(body.items()))
    if method == "ema":
        weight = number(amount, "smooth.ema")
        if not 0 <= weight < 1:
            raise InvalidArgumentError(
                f"smooth.ema = {weight}: the weight is from 0 (no smoothing) to below 1"
            )
        return
    size = integer(amount, "smooth.window", 1)
    if size > MAX_SMOOTH_WINDOW:
        raise ResourceExhaustedError(
            f"smooth.window = {size}: at most {MAX_SMOOTH_WINDOW} points; use ema for "
            "heavier smoothing"
        )
