"""What a logger records about its run besides series: capture, config, console, pauses.

`RunInfo` is a base of LoggerCore that holds the run-level extras of the logger
(docs/logging.md, "Capture"): the command, git and environment gathered at start
(collect.py), `log_config`, the console tee (console.py) with `print`, `eprint` and
`print_table`, progress bars (progress.py), the system sampler (system.py), and
`disable()` / `enable()`. The names it writes are model/capture.py's.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from streamvis.logger import collect
from streamvis.logger.console import ConsoleCapture
from streamvis.logger.progress import Progress
from streamvis.logger.written import WRITTEN, Written
from streamvis.model import capture as cap
from streamvis.model.errors import StreamvisError
from streamvis.model.schema import FieldType, validate_name
from streamvis.model.types import Value

if TYPE_CHECKING:
    from streamvis.logger.declare import FieldDecl, SchemaCache, SeriesDecl
    from streamvis.logger.system import SystemSampler

T = TypeVar("T")

#: Seconds stop() waits for the capture of command, git and environment to be queued
#: (each git call is limited to 5 s by collect.py).
_GATHER_WAIT = 30.0


class RunInfo:
    """The run-level extras of a logger; LoggerCore provides write, declare and the rest."""

    if TYPE_CHECKING:
        disabled: bool
        _schema: SchemaCache
        _running: bool
        _series: dict[str, Any]

        def write(self, series: str, /, **values: Any) -> object: ...
        def declare(self, fields: Mapping[str, FieldDecl] | None = None,
                    series: Mapping[str, SeriesDecl] | None = None) -> None: ...
        def _enqueue_attributes(self, attributes: dict[str, Any], stacklevel: int) -> None: ...
        def _violation(self, exc: StreamvisError, stacklevel: int) -> None: ...
        def _refresh_schema(self) -> None: ...
        def _report(self, message: str) -> None: ...

    def _init_run_info(self, capture: bool, console: bool, system_metrics: float | None) -> None:
        self._capture = collect.capture_enabled(capture=capture)
        self._console_on = console and self._capture
        self._system_every = system_metrics
        self._paused = False
        self._tees = ConsoleCapture(self.write)
        self._sampler: SystemSampler | None = None
        self._gatherer: threading.Thread | None = None

    # -- start and stop ---------------------------------------------------------------

    def _start_run_info(self) -> None:
        """At start: queue the capture, put in the console tee, start the sampler."""
        series: list[str] = []
        if self._capture:
            series.append(cap.CAPTURE_SERIES)
        if self._console_on:
            series.append(cap.CONSOLE_SERIES)
        if self._system_every:
            series += [cap.SYSTEM_SERIES, cap.GPU_SERIES]
        if series:
            self._declare_series(series)
        if self._capture:
            # Off the caller's thread: git on a large tree may take seconds, and start()
            # must not wait for it. stop() waits for it before its last flush.
            self._gatherer = threading.Thread(target=self._gather, name="streamvis-capture",
                                              daemon=True)
            self._gatherer.start()
        if self._console_on:
            self._tees.install()
        if self._system_every:
            # Imported here: psutil loads in tens of ms, paid only by who samples.
            from streamvis.logger.system import SystemSampler  # noqa: PLC0415

            self._sampler = SystemSampler(self.write, float(self._system_every))
            self._sampler.start()

    def _gather(self) -> None:
        try:
            found = collect.gather()
            self._declare_fields(list(found.attributes))
            self._enqueue_attributes(dict(found.attributes), stacklevel=4)
            for key, text in found.texts.items():
                self.log_text(key, text)
        except Exception as exc:  # noqa: BLE001 - a logger never breaks the program it logs
            self._report(f"capturing the command, git and environment failed: {exc!r}")

    def _stop_run_info(self) -> None:
        gatherer = self._gatherer
        if gatherer is not None:
            gatherer.join(_GATHER_WAIT)
            self._gatherer = None
        if self._sampler is not None:
            self._sampler.stop()
            self._sampler = None
        self._tees.uninstall()

    def _declare_series(self, names: Sequence[str]) -> None:
        fields = {f for name in names for f in cap.SERIES[name]}
        self.declare({f: cap.FIELDS[f] for f in sorted(fields)},
                     {name: cap.SERIES[name] for name in names})

    def _declare_fields(self, names: Sequence[str]) -> None:
        self.declare({n: cap.FIELDS[n] for n in names if n not in self._schema.types})

    # -- capture -----------------------------------------------------------------------

    def log_text(self, key: str, text: str) -> None:
        """Store a long text with the run (the `capture` series), under `key`."""
        if self.disabled or self._paused:
            return
        if cap.CAPTURE_SERIES not in self._schema.series:
            self._declare_series([cap.CAPTURE_SERIES])
        for part, piece in enumerate(cap.split_text(text)):
            self.write(cap.CAPTURE_SERIES, **{
                cap.CAPTURE_KEY: key, cap.CAPTURE_PART: part, cap.CAPTURE_TEXT: piece,
            })

    def log_config(self, config: Any, prefix: str = cap.CONFIG) -> None:
        """Store a configuration as run attributes `config.<key>`, nested keys joined by ".".

        Takes an argparse Namespace, a dict, a dataclass, or an OmegaConf/Hydra config.
        int, float, bool and string values keep their type (a field is created for a
        new key); anything else is stored as its text. A key whose field exists with
        another type takes that type where the value fits (an int for a float field),
        and is stored as text in a string field; otherwise it is dropped with a warning.
        """
        if self.disabled or self._paused:
            return
        flat = flatten(config, prefix.rstrip("."))
        self._refresh_schema()
        known = self._schema.types
        good: dict[str, Value] = {}
        new: dict[str, FieldDecl] = {}
        for name, value in flat.items():
            try:
                validate_name("field", name)
            except StreamvisError as exc:
                self._violation(StreamvisError(f"config key dropped: {exc}"), stacklevel=3)
                continue
            have = known.get(name)
            if have is None:
                new[name] = _type_of(value)
            good[name] = str(value) if have is FieldType.STRING else value
        if new:
            self.declare(new)
        self._enqueue_attributes(dict(good), stacklevel=4)

    def write_config(self, config: Any) -> Written:
        """The (scope, name, index) era's call: a configuration as run attributes named
        by its keys, with no prefix (nested keys joined by "."). As in `log_config`, a
        name new to the server gets its field, typed from the value, and a value that
        does not fit its field's type is dropped with a warning. Returns WRITTEN, so
        `await logger.write_config(cfg)` works in asyncio code."""
        self.log_config(config, prefix="")
        return WRITTEN

    # -- console -----------------------------------------------------------------------

    def print(self, *args: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """`print` to stdout that is also logged to the run's console series."""
        self._print("stdout", args, sep, end, flush)

    def eprint(self, *args: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """`print` to stderr that is also logged to the run's console series."""
        self._print("stderr", args, sep, end, flush)

    def print_table(self, rows: Iterable[Sequence[Any]], headers: Sequence[str] = ()) -> None:
        """Print rows as an aligned text table (and log it, line by line)."""
        self.print(format_table(rows, headers))

    def _print(self, name: str, args: tuple[Any, ...], sep: str, end: str, flush: bool) -> None:
        text = sep.join(str(a) for a in args) + end
        tee = self._tees.tee(name)
        stream: TextIO = tee if tee is not None else getattr(sys, name)  # type: ignore[assignment]
        stream.write(text)
        if flush:
            stream.flush()
        if tee is None and self._running and not (self.disabled or self._paused):
            # No tee (console=False or STREAMVIS_CAPTURE=0): log the lines ourselves.
            if cap.CONSOLE_SERIES not in self._schema.series:
                self._declare_series([cap.CONSOLE_SERIES])
            for line in text.rstrip("\n").split("\n"):
                self._tees.console.emit(name, line)

    # -- progress ----------------------------------------------------------------------

    def progress(self, iterable: Iterable[T] | None = None, total: int | None = None,
                 desc: str = "", **tqdm_args: Any) -> Progress[T]:
        """A progress bar over `iterable` that draws in the terminal and logs its state.

        tqdm draws it when installed (extra keyword arguments go to tqdm), else a small
        drawer of our own; done, total and rate go to the run's `progress` series at
        most every PROGRESS_EVERY seconds and at the end. Iterate it, or call
        `update(n)` on it (use it as a context manager to close it).
        """
        if cap.PROGRESS_SERIES not in self._schema.series:
            self._declare_series([cap.PROGRESS_SERIES])
        return Progress(self._progress_write, iterable, total, desc, tqdm_args)

    def spinner(self, desc: str = "") -> Progress[Any]:
        """A spinner (a progress bar without a total): `with logger.spinner("loading"): ...`."""
        return self.progress(None, None, desc)

    def _progress_write(self, **values: Any) -> None:
        if not (self.disabled or self._paused):
            self.write(cap.PROGRESS_SERIES, **values)

    # -- pausing -----------------------------------------------------------------------

    def disable(self) -> None:
        """Make writes (and every other logging call) no-ops until `enable()`.

        `print` and progress bars still draw in the terminal. Nothing already written
        is dropped: it is still sent.
        """
        self._paused = True
        # Empty the hot path's table, so every write takes the slow path, which returns.
        self._series.clear()

    def enable(self) -> None:
        """Log again after `disable()`."""
        self._paused = False

    @property
    def enabled(self) -> bool:
        """Whether logging calls log now (False after disable(), or with disabled=True)."""
        return not (self.disabled or self._paused)


def flatten(config: Any, prefix: str = "") -> dict[str, Value]:
    """A config as {dotted key: value}: Namespace, dict, dataclass or OmegaConf config."""
    out: dict[str, Value] = {}

    def walk(value: Any, key: str) -> None:
        mapping = _as_mapping(value)
        if mapping is not None:
            for k, v in mapping.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(value, bool | int | float | str):
            out[key] = value
        elif value is None:
            out[key] = "None"
        elif isinstance(value, list | tuple):
            out[key] = repr(list(value))
        else:
            out[key] = str(value)

    walk(config, prefix)
    return out


def _as_mapping(value: Any) -> Mapping[Any, Any] | None:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, argparse.Namespace):
        return vars(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    omegaconf = sys.modules.get("omegaconf")
    if omegaconf is not None and isinstance(value, omegaconf.DictConfig):
        resolved = omegaconf.OmegaConf.to_container(value, resolve=True)
        return resolved if isinstance(resolved, Mapping) else None
    return None


def _type_of(value: Value) -> str:
    return ("bool" if isinstance(value, bool) else "int" if isinstance(value, int)
            else "float" if isinstance(value, float) else "string")


def format_table(rows: Iterable[Sequence[Any]], headers: Sequence[str] = ()) -> str:
    """Rows as aligned columns of text, with a rule under the headers if any."""
    cells = [[_cell(v) for v in row] for row in rows]
    head = [str(h) for h in headers]
    width = max([len(head), *(len(r) for r in cells)], default=0)
    grid = ([head] if head else []) + cells
    sizes = [max((len(r[i]) for r in grid if i < len(r)), default=0) for i in range(width)]
    numeric = [all(_is_number(r[i]) for r in cells if i < len(r)) for i in range(width)]

    def line(row: list[str]) -> str:
        return "  ".join(
            (c.rjust(sizes[i]) if numeric[i] else c.ljust(sizes[i]))
            for i, c in enumerate(row)
        ).rstrip()

    out = [line(r) for r in grid]
    if head:
        out.insert(1, "  ".join("-" * s for s in sizes))
    return "\n".join(out)


def _cell(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

