"""The console tee with a real program: 100,000 lines reach the terminal and the
`console` series, all of them, in order; the tee's unit behaviour."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from streamvis.logger.console import Console, Tee
from streamvis.model import capture as cap
from streamvis.model.errors import StreamvisError
from tests.served import series_rows as query_rows

LINES = 100_000

PROGRAM = textwrap.dedent("""
    import sys
    from streamvis import DataLogger

    with DataLogger(sys.argv[1]) as logger:
        print(logger.run_handle, file=sys.stderr, flush=True)
        for i in range(int(sys.argv[2])):
            print(f"line {i}")
""")


def test_100000_printed_lines_reach_terminal_and_series_in_order(uri: str) -> None:
    env = {**os.environ, cap.CAPTURE_ENV: "1"}
    done = subprocess.run([sys.executable, "-c", PROGRAM, uri, str(LINES)], capture_output=True,
                          text=True, env=env, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    expected = [f"line {i}" for i in range(LINES)]
    assert done.stdout.splitlines() == expected
    handle = done.stderr.splitlines()[0]
    rows = query_rows(uri, handle, cap.CONSOLE_SERIES)
    stdout = [t for s, t in zip(rows[cap.CONSOLE_STREAM], rows[cap.CONSOLE_TEXT], strict=True)
              if s == "stdout"]
    assert stdout == expected
    assert rows[cap.CONSOLE_LINE] == list(range(len(rows[cap.CONSOLE_LINE])))


class _Sink:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str]] = []

    def __call__(self, series: str, **values: Any) -> None:
        assert series == cap.CONSOLE_SERIES
        self.rows.append((values[cap.CONSOLE_STREAM], values[cap.CONSOLE_TEXT]))


def test_tee_writes_through_unchanged_and_collapses_redraws() -> None:
    sink = _Sink()
    inner = io.StringIO()
    tee = Tee(inner, "stdout", Console(sink))
    for piece in ["a", "b\nc", "\r", "12%\r", "99%", "\rdone\n", "win\r\n", "tail"]:
        tee.write(piece)
    tee.finish()
    assert inner.getvalue() == "ab\nc\r12%\r99%\rdone\nwin\r\ntail"
    assert sink.rows == [("stdout", "ab"), ("stdout", "done"), ("stdout", "win"),
                         ("stdout", "tail")]


def test_a_line_without_end_is_logged_in_parts_of_bounded_size() -> None:
    sink = _Sink()
    tee = Tee(io.StringIO(), "stderr", Console(sink))
    for _ in range(3):
        tee.write("x" * cap.TEXT_PART)
    tee.finish()
    assert [len(t) for _, t in sink.rows] == [cap.TEXT_PART] * 3


def test_a_write_that_fails_inside_the_console_is_not_logged_again() -> None:
    seen: list[str] = []

    def write(series: str, **values: Any) -> None:
        assert series == cap.CONSOLE_SERIES
        seen.append(values[cap.CONSOLE_TEXT])
        tee.write("warning from inside\n")  # as a LoggerWarning printed to stderr would

    tee = Tee(io.StringIO(), "stderr", Console(write))
    tee.write("hello\n")
    assert seen == ["hello"]


def test_a_refused_line_never_makes_print_raise() -> None:
    def write(series: str, **values: Any) -> None:
        raise StreamvisError(f"refused {series} {values[cap.CONSOLE_TEXT]}")  # strict=True

    inner = io.StringIO()
    tee = Tee(inner, "stdout", Console(write))
    print("still printed", file=tee)
    assert inner.getvalue() == "still printed\n"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_prints_to_the_real_stream_and_logs_nothing(uri: str) -> None:
    # In a fresh interpreter: pytest's own process has threads that warn at fork.
    script = textwrap.dedent("""
        import os, sys
        from streamvis import DataLogger
        from streamvis.logger.console import Tee
        with DataLogger(sys.argv[1]) as logger:
            print(logger.run_handle, file=sys.stderr, flush=True)
            print("parent before")
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                ok = not isinstance(sys.stdout, Tee) and not isinstance(sys.stderr, Tee)
                print("child")
                sys.stdout.flush()
                os._exit(0 if ok else 1)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0, status
            print("parent after")
    """)
    env = {**os.environ, cap.CAPTURE_ENV: "1"}
    done = subprocess.run([sys.executable, "-c", script, uri], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["parent before", "child", "parent after"]
    handle = done.stderr.splitlines()[0]
    rows = query_rows(uri, handle, cap.CONSOLE_SERIES)
    assert [t for s, t in zip(rows[cap.CONSOLE_STREAM], rows[cap.CONSOLE_TEXT], strict=True)
            if s == "stdout"] == ["parent before", "parent after"]
