"""`streamvis.init`: the one-line start for a quick script, in the shape W&B users know.

    run = streamvis.init(tags=["baseline"], config={"lr": 3e-4})
    for i in range(steps):
        run.log({"train/loss": loss, "acc": acc}, step=i)
    run.finish()

It is a `DataLogger(infer=True)` (logger/infer.py) behind a small object. Each key of
`log` is a series of its own — the key as it is, `train/loss` included — holding two
fields: `step` and the key's last part (`loss`). A key per series is the one mapping
under which any mix of keys per call works (W&B scripts log `train/*` every step and
`val/*` every epoch, a key now and then); the fields being the last parts is what lets
`train/loss` and `val/loss` share the field `loss` on one plot. See docs/compat.md.

`config` goes to run attributes through `log_config` (`config.<key>`), `attributes`
as they are (also through `log_config`, unprefixed, so new names get their fields);
`tags` are the run's tags.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, SupportsIndex

from streamvis.logger import DataLogger, Delivery
from streamvis.model.capture import CONFIG
from streamvis.model.errors import InvalidArgumentError

#: The field every series of `log` counts its rows by.
STEP = "step"


def series_and_field(key: str) -> tuple[str, str]:
    """Where `log` puts a key: its series (the key) and its value field (the last part)."""
    if not isinstance(key, str):
        raise InvalidArgumentError(
            f"log key {key!r} is a {type(key).__name__}: give metric names as strings"
        )
    leaf = key.rstrip("/").rsplit("/", 1)[-1]
    if leaf == STEP:
        raise InvalidArgumentError(
            f"log key {key!r} names the step field every series has: pass the step as "
            "log(..., step=N), or give the metric another name"
        )
    return key, leaf


class QuickRun:
    """A run started by `streamvis.init`: `log`, `finish`, and a `with` block."""

    def __init__(self, logger: DataLogger) -> None:
        self.logger = logger
        self._step = 0
        #: key -> the logger's writer of (step, value) pairs of its series.
        self._puts: dict[str, Callable[[Any, Any], bool]] = {}

    @property
    def handle(self) -> str:
        """The run's handle (its UUID, as text): `streamvis run show HANDLE`, /runs/HANDLE."""
        return str(self.logger.run_handle)

    @property
    def step(self) -> int:
        """The step the next `log` without `step=` is given."""
        return self._step

    def log(self, metrics: Mapping[str, Any], step: SupportsIndex | None = None) -> None:
        """Log each metric at `step` (default: one past the last call's step).

        Values are ints, floats, bools, strings, numpy or tensor scalars, or media (a
        uint8 (H, W, C) array or PIL image, a streamvis.Audio); a metric's
        type is inferred from its first value, and a later value of another type is
        refused (warned and dropped; raised with strict=True).
        """
        try:
            # operator.index: Python and numpy ints (a tensor's .item()), never floats.
            at = self._step if step is None else operator.index(step)
        except TypeError:
            self.logger._violation(InvalidArgumentError(  # noqa: SLF001 (one warn-or-raise rule)
                f"log step {step!r} is a {type(step).__name__}: give an int step"),
                stacklevel=3)
            return
        self._step = at + 1
        puts = self._puts
        for key, value in metrics.items():
            # A key seen before, a float at an int step: the logger's two-field writer
            # (as the TensorBoard drop-in's add_scalar); anything else: write.
            put = puts.get(key)
            if put is not None and put(at, value):
                continue
            try:
                series, field = series_and_field(key)
            except InvalidArgumentError as exc:
                self.logger._violation(exc, stacklevel=3)  # noqa: SLF001
                continue
            if put is None:
                puts[key] = self.logger.pair_writer(series, STEP, field)
            self.logger.write(series, **{STEP: at, field: value})

    def config(self, config: Any) -> None:
        """Add to the run's configuration (`config.<key>` attributes), like init's."""
        self.logger.log_config(config, CONFIG)

    def finish(self, timeout: float | None = 30.0) -> Delivery:
        """Send what is left and end the run's logging; returns what was delivered."""
        return self.logger.stop(timeout)

    def __enter__(self) -> QuickRun:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.logger.__exit__(exc_type, exc, tb)


def init(
    uri: str | None = None,
    *,
    tags: Sequence[str] = (),
    config: Any = None,
    attributes: Mapping[str, Any] | None = None,
    **options: Any,
) -> QuickRun:
    """Start a run and its logger (inferring series from their first write); see quick.py.

    `uri` of the server (default STREAMVIS_URI or localhost:8001); `tags`; `config` (a
    dict, argparse Namespace, dataclass or OmegaConf config) stored as `config.*`
    attributes; `attributes` as they are; any other DataLogger argument by keyword.
    """
    logger = DataLogger(uri, tags=tags, infer=True, **options).start()
    run = QuickRun(logger)
    if config is not None:
        run.config(config)
    if attributes:
        # Through log_config too, so an attribute new to the server gets its field.
        logger.log_config(attributes, prefix="")
    return run
