"""A real streamvis server in a subprocess, for the logger's integration tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

_READY = re.compile(r"gRPC listening on (\S+):(\d+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """`python -m streamvis serve` on a data directory; start, kill -9 and restart it."""

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        self.data_dir = data_dir
        self.port = port
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []
        self._pump: threading.Thread | None = None

    @property
    def uri(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        cmd = [sys.executable, "-m", "streamvis", "serve", "--data-dir", str(self.data_dir),
               "--grpc-port", str(self.port), "--http-port", "0"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        found: list[int] = []
        ready = threading.Event()

        def pump(stream: object) -> None:
            for line in stream:  # type: ignore[attr-defined]
                self.output.append(line)
                m = _READY.search(line)
                if m and not found:
                    found.append(int(m.group(2)))
                    ready.set()
            ready.set()

        self._pump = threading.Thread(target=pump, args=(self.proc.stdout,), daemon=True)
        self._pump.start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.1):
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not start:\n" + "".join(self.output))
        if not found:
            self.proc.wait(5)
            self._close()
            raise RuntimeError("server exited:\n" + "".join(self.output))
        self.port = found[0]
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as a crash."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self._close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self._close()

    def _close(self) -> None:
        assert self.proc is not None
        if self._pump is not None:
            self._pump.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None
