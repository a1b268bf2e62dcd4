"""What a logger captures about its run: the names, prefixes and types, in one place.

A run is more than its series: the command that started it, the code (git), the
environment, its console output, its progress bars and the machine's load. All of it
is stored in the ordinary typed model, so it is searched, filtered and compared like
anything else (docs/decisions/0011-capture-storage.md says why this split):

- short scalar facts are **run attributes** with a prefix: `command.`, `git.`, `env.`,
  and `config.` for what `logger.log_config` flattens;
- long text (the git diff, the package list, untracked files) is the `capture` series,
  rows of (key, part, text), since an attribute holds at most MAX_STRING_LENGTH
  characters and would make every run-search response carry it;
- console lines, progress updates and system samples are series of their own.

The logger (logger/collect.py, logger/console.py, ...) writes these names, the data
API and the web app's run page read them; neither spells a name of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

from streamvis.model.limits import MAX_STRING_LENGTH

#: Environment variable that turns capture off for every logger of a process ("0").
CAPTURE_ENV: Final = "STREAMVIS_CAPTURE"

COMMAND: Final = "command."
GIT: Final = "git."
ENV: Final = "env."
CONFIG: Final = "config."
#: The attribute prefixes the run page groups attributes by, in the order it shows them.
PREFIXES: Final = (COMMAND, CONFIG, GIT, ENV)

#: Attribute name -> field type name, for every attribute capture may set.
ATTRIBUTES: Final = MappingProxyType({
    "command.argv": "string",  # sys.argv, quoted as a shell would take it
    "command.cwd": "string",
    "command.executable": "string",
    "command.pid": "int",
    "git.commit": "string",
    "git.branch": "string",
    "git.remote": "string",
    "git.dirty": "bool",
    "git.untracked": "int",  # how many untracked files (their names: capture "git.untracked")
    "git.diff_bytes": "int",  # size of the whole diff, before MAX_CAPTURE_DIFF_BYTES cut it
    "env.python": "string",
    "env.platform": "string",
    "env.hostname": "string",
    "env.packages": "int",  # how many (the list: capture "env.packages")
    "env.cuda": "string",
    "env.gpus": "string",  # GPU models, comma-separated
    "env.gpu_count": "int",
})

#: The `capture` series: long texts, each split into parts of TEXT_PART characters.
CAPTURE_SERIES: Final = "capture"
CAPTURE_KEY: Final = "capture.key"
CAPTURE_PART: Final = "capture.part"
CAPTURE_TEXT: Final = "capture.text"
#: Keys of the texts in the `capture` series.
TEXT_DIFF: Final = "git.diff"
TEXT_UNTRACKED: Final = "git.untracked"
TEXT_PACKAGES: Final = "env.packages"
#: Characters in one part of a captured text: a string value's limit, with room to spare.
TEXT_PART: Final = MAX_STRING_LENGTH // 2

#: The `console` series: one row per line written to stdout or stderr.
CONSOLE_SERIES: Final = "console"
CONSOLE_LINE: Final = "console.line"  # 0, 1, 2 ... in the order the program wrote them
CONSOLE_TIME: Final = "console.time"  # seconds since the epoch
CONSOLE_STREAM: Final = "console.stream"  # "stdout" or "stderr"
CONSOLE_TEXT: Final = "console.text"  # the line, without its newline; ANSI codes kept

#: The `progress` series: one row per update of a progress bar or spinner.
PROGRESS_SERIES: Final = "progress"
PROGRESS_DESC: Final = "progress.desc"
PROGRESS_DONE: Final = "progress.done"
PROGRESS_TOTAL: Final = "progress.total"  # -1 when unknown (a spinner, an endless iterable)
PROGRESS_RATE: Final = "progress.rate"  # items per second, since the bar started
PROGRESS_TIME: Final = "progress.time"
PROGRESS_ELAPSED: Final = "progress.elapsed"  # seconds since the bar started
#: Seconds between two rows one progress bar logs (its first and last are always logged).
PROGRESS_EVERY: Final = 1.0

#: The `system` series: one row per sample of the machine's load.
SYSTEM_SERIES: Final = "system"
SYSTEM_FIELDS: Final = MappingProxyType({
    "system.time": "float",
    "system.cpu_percent": "float",
    "system.memory_percent": "float",
    "system.memory_used": "int",  # bytes
    "system.disk_read": "int",  # bytes since the sampler started
    "system.disk_write": "int",
    "system.net_sent": "int",
    "system.net_recv": "int",
})
#: The `system.gpu` series: one row per GPU per sample.
GPU_SERIES: Final = "system.gpu"
GPU_FIELDS: Final = MappingProxyType({
    "system.time": "float",
    "gpu.index": "int",
    "gpu.utilization": "float",  # percent
    "gpu.memory_used": "int",  # bytes
    "gpu.temperature": "float",  # degrees Celsius
    "gpu.power": "float",  # watts
})

#: Every field capture writes, name -> type name.
FIELDS: Final = MappingProxyType({
    **ATTRIBUTES,
    CAPTURE_KEY: "string", CAPTURE_PART: "int", CAPTURE_TEXT: "string",
    CONSOLE_LINE: "int", CONSOLE_TIME: "float", CONSOLE_STREAM: "string",
    CONSOLE_TEXT: "string",
    PROGRESS_DESC: "string", PROGRESS_DONE: "int", PROGRESS_TOTAL: "int",
    PROGRESS_RATE: "float", PROGRESS_TIME: "float", PROGRESS_ELAPSED: "float",
    **SYSTEM_FIELDS, **GPU_FIELDS,
})
#: Every series capture writes, name -> its fields.
SERIES: Final = MappingProxyType({
    CAPTURE_SERIES: (CAPTURE_KEY, CAPTURE_PART, CAPTURE_TEXT),
    CONSOLE_SERIES: (CONSOLE_LINE, CONSOLE_TIME, CONSOLE_STREAM, CONSOLE_TEXT),
    PROGRESS_SERIES: (PROGRESS_DESC, PROGRESS_DONE, PROGRESS_TOTAL, PROGRESS_RATE,
                      PROGRESS_TIME, PROGRESS_ELAPSED),
    SYSTEM_SERIES: tuple(SYSTEM_FIELDS),
    GPU_SERIES: tuple(GPU_FIELDS),
})


def split_text(text: str) -> list[str]:
    """A long text in parts of at most TEXT_PART characters (one part for ""), in order."""
    return [text[i:i + TEXT_PART] for i in range(0, len(text), TEXT_PART)] or [""]


def group_of(name: str) -> str:
    """The prefix group an attribute is shown in ("" for one without a known prefix)."""
    return next((p[:-1] for p in PREFIXES if name.startswith(p)), "")


def join_texts(rows: Iterable[tuple[str, int, str]]) -> dict[str, str]:
    """(key, part, text) rows of the capture series, in stored order, as {key: text}:
    parts joined in order; a key logged again (part 0 once more) keeps its last text."""
    parts: dict[str, list[str]] = {}
    for key, part, text in rows:
        if part == 0:
            parts[key] = []
        parts.setdefault(key, []).append(text)
    return {k: "".join(v) for k, v in parts.items()}


def eta_of(done: int, total: int, rate: float) -> float | None:
    """Seconds a progress bar has left at `rate` items a second; None without a total
    or a rate."""
    if total < 0 or rate <= 0:
        return None
    return max(total - done, 0) / rate
