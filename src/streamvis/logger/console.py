"""The console tee: stdout and stderr still reach the terminal, and each line is logged.

`Tee` replaces `sys.stdout` / `sys.stderr` while a logger runs. Every `write` goes to
the real stream first, unchanged and at once (so the terminal sees what it saw before,
in order), then the text is cut into lines for the `console` series. A carriage return
starts the line over, as a terminal draws it, so a progress bar redrawn a thousand
times is one line (its last state); ANSI colour codes are kept as they are.

Only what passes through Python's sys.stdout/sys.stderr is seen: a C library or a
child process writing to file descriptor 1 reaches the terminal but not the series.
"""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any, TextIO

from streamvis.model import capture as cap
from streamvis.model.errors import StreamvisError

#: Characters of one unfinished line kept before it is logged as a line of its own:
#: a program that prints without newlines must not grow memory without end.
_MAX_PENDING = cap.TEXT_PART


class Console:
    """The line numbering and the series writer both streams share."""

    def __init__(self, write: Callable[..., object]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._line = 0
        self._local = threading.local()

    def emit(self, stream: str, text: str) -> None:
        # A warning the write itself raises would come back here through stderr.
        if getattr(self._local, "busy", False):
            return
        self._local.busy = True
        try:
            with self._lock:
                line = self._line
                self._line += 1
            self._write(cap.CONSOLE_SERIES, **{
                cap.CONSOLE_LINE: line, cap.CONSOLE_TIME: time.time(),
                cap.CONSOLE_STREAM: stream, cap.CONSOLE_TEXT: text,
            })
        except StreamvisError:
            # A strict logger raises on a bad write; a print must never raise for it.
            pass
        finally:
            self._local.busy = False


class Tee(io.TextIOBase):
    """A text stream that writes through to `inner` and logs complete lines."""

    def __init__(self, inner: TextIO, name: str, console: Console) -> None:
        self.inner = inner
        self.stream_name = name
        self._console = console
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, s: str) -> int:
        n = self.inner.write(s)
        if s:
            self._take(s)
        return len(s) if n is None else n

    def _take(self, s: str) -> None:
        if "\n" not in s and "\r" not in s:
            # print() writes each argument and separator apart: most writes end no line.
            with self._lock:
                self._pending += s
                if len(self._pending) < _MAX_PENDING:
                    return
            s = ""
        lines: list[str] = []
        with self._lock:
            text = self._pending + s
            *done, rest = text.split("\n")
            for raw in done:
                line = _collapse(raw)
                if len(line) > _MAX_PENDING:
                    lines += cap.split_text(line)  # a string value has a limit
                else:
                    lines.append(line)
            rest = _collapse(rest)
            while len(rest) >= _MAX_PENDING:
                lines.append(rest[:_MAX_PENDING])
                rest = rest[_MAX_PENDING:]
            self._pending = rest
        for line in lines:
            self._console.emit(self.stream_name, line)

    def finish(self) -> None:
        """Log an unfinished last line (the program's output did not end with a newline)."""
        with self._lock:
            rest, self._pending = self._pending, ""
        if rest:
            self._console.emit(self.stream_name, rest)

    def flush(self) -> None:
        self.inner.flush()

    # What code asks of sys.stdout besides write: answered by the real stream.
    def fileno(self) -> int:
        return self.inner.fileno()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.inner, "encoding", "utf-8"))

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    @property
    def buffer(self) -> IO[bytes]:
        return self.inner.buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _collapse(line: str) -> str:
    """What a terminal shows of a line redrawn after carriage returns: its last draw.

    A trailing "\\r" (a line that ends "text\\r\\n", as on Windows) is not a redraw.
    """
    body = line[:-1] if line.endswith("\r") else line
    cut = body.rfind("\r")
    return body if cut < 0 else body[cut + 1:]


class ConsoleCapture:
    """Installs the tees on sys.stdout and sys.stderr, and takes them off again."""

    def __init__(self, write: Callable[..., object]) -> None:
        self.console = Console(write)
        self._tees: dict[str, Tee] = {}

    def install(self) -> None:
        for name in ("stdout", "stderr"):
            inner = getattr(sys, name)
            if inner is None or isinstance(inner, Tee):
                continue  # no stream (pythonw), or another logger tees it already
            tee = Tee(inner, name, self.console)
            self._tees[name] = tee
            setattr(sys, name, tee)

    def uninstall(self) -> None:
        """Put the real streams back (where nobody replaced ours since) and log the rest."""
        for name, tee in self._tees.items():
            if getattr(sys, name) is tee:
                setattr(sys, name, tee.inner)
            tee.finish()
        self._tees.clear()

    def forget(self) -> None:
        """In a forked child: put the real streams back, taking no lock (a thread of the
        parent may have held one at the fork) and logging nothing."""
        for name, tee in self._tees.items():
            if getattr(sys, name) is tee:
                setattr(sys, name, tee.inner)
        self._tees = {}

    def tee(self, name: str) -> Tee | None:
        """The tee on sys.<name> while installed (`logger.print` writes there)."""
        return self._tees.get(name)
