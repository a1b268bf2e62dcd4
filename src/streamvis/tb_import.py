"""`streamvis import-tensorboard LOGDIR`: a TensorBoard log directory into runs.

Each directory under LOGDIR that holds event files (`events.out.tfevents.*`) becomes one
run, written through the drop-in `SummaryWriter` (tensorboard.py), so imported data
lands where a script using the drop-in would have put it (docs/compat.md, the mapping):
its `log_dir` (relative to LOGDIR's parent) is the attribute `tensorboard.log_dir` and
its last part the run's tag. Scalars become `add_scalar` rows and text `add_text` rows
(tensorboardX's `/text_summary` tag suffix dropped). Histograms are stored in event
files as buckets, not the values logged, so they are counted and skipped, as are
images and the other media (issue 14). The run's `started_at` is its earliest event's
wall time, and each row's `_time` its event's (not the time of the import).

Event files are TFRecord files of `Event` protobufs; they are read here with
tensorboardX's generated messages (the `tensorboard` extra) rather than TensorBoard's
reader, which would bring TensorFlow-sized dependencies (docs/decisions).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError
from streamvis.tensorboard import SummaryWriter

#: What tensorboardX appends to an `add_text` tag.
_TEXT_SUFFIX = "/text_summary"
_HEADER = struct.Struct("<QI")


@dataclass
class Imported:
    """What one import did: runs made, rows per kind, and what it skipped."""

    runs: list[str] = field(default_factory=list)
    scalars: int = 0
    texts: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def _event_class() -> Any:
    try:
        from tensorboardX.proto import event_pb2  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        raise FailedPreconditionError(
            "reading TensorBoard event files needs tensorboardX: pip install "
            "'streamvis[tensorboard]' (or tensorboardX)"
        ) from None
    return event_pb2.Event


def read_records(path: Path) -> Iterator[bytes]:
    """The records of one TFRecord file (length, its CRC, data, the data's CRC)."""
    with path.open("rb") as f:
        while True:
            head = f.read(_HEADER.size)
            if not head:
                return
            if len(head) < _HEADER.size:
                return  # a file its writer is still appending to: stop at the last whole one
            (length, _) = _HEADER.unpack(head)
            data = f.read(length)
            if len(data) < length or len(f.read(4)) < 4:
                return
            yield data


def event_dirs(logdir: Path) -> list[Path]:
    """The directories under (and including) `logdir` that hold event files, sorted."""
    if not logdir.is_dir():
        raise InvalidArgumentError(f"{logdir} is not a directory: give a TensorBoard log dir")
    found = sorted({p.parent for p in logdir.rglob("events.out.tfevents.*") if p.is_file()})
    if not found:
        raise InvalidArgumentError(
            f"{logdir} holds no TensorBoard event files (events.out.tfevents.*)"
        )
    return found


def _events(directory: Path) -> Iterator[Any]:
    event_cls = _event_class()
    for path in sorted(directory.glob("events.out.tfevents.*")):
        for data in read_records(path):
            yield event_cls.FromString(data)


def started_at(directory: Path) -> float | None:
    """When the directory's run started: its earliest event's wall time (the file
    version record each writer writes first), None when no event has one."""
    times = [e.wall_time for e in _events(directory) if e.wall_time > 0]
    return min(times) if times else None


def _import_dir(directory: Path, writer: SummaryWriter, out: Imported) -> None:
    for event in _events(directory):
        # Each row keeps its event's wall time as its `_time` (docs/compat.md).
        when = event.wall_time if event.wall_time > 0 else None
        if not event.HasField("summary"):
            continue
        for value in event.summary.value:
            plugin = value.metadata.plugin_data.plugin_name
            if value.HasField("simple_value"):
                writer.add_scalar(value.tag, float(value.simple_value), event.step,
                                  walltime=when)
                out.scalars += 1
            elif plugin == "text" and value.tensor.string_val:
                tag = value.tag.removesuffix(_TEXT_SUFFIX)
                writer.add_text(tag, value.tensor.string_val[0].decode(), event.step,
                                walltime=when)
                out.texts += 1
            elif plugin == "scalars" and value.tensor.float_val:
                writer.add_scalar(value.tag, float(value.tensor.float_val[0]), event.step,
                                  walltime=when)
                out.scalars += 1
            else:
                kind = value.WhichOneof("value") or plugin or "other"
                out.skipped[kind] = out.skipped.get(kind, 0) + 1


def import_tensorboard(logdir: str | Path, uri: str | None = None, **options: Any) -> Imported:
    """Import every event directory under `logdir` as a run; see the module docstring."""
    root = Path(logdir)
    out = Imported()
    _event_class()  # fail before any run is made
    for directory in event_dirs(root):
        rel = directory.relative_to(root.parent)
        writer = SummaryWriter(log_dir=str(rel), uri=uri, strict=True, capture=False,
                               started_at=started_at(directory), **options)
        try:
            _import_dir(directory, writer, out)
        finally:
            writer.close()
        out.runs.append(writer.run_handle)
    return out
