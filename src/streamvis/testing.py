"""A `streamvis serve` child process on a free port: for tests, benchmarks and demos.

Start one against a store location (a data directory, or a ``postgresql://`` URL),
talk to it through `streamvis.client.Client`, and stop it::

    from streamvis.client import Client
    from streamvis.testing import ServerProcess

    with ServerProcess(str(tmp_path)) as server:   # started; it answers health checks
        with Client(server.uri) as client:
            client.create_field("loss", "float")

`start()` asks for port 0 unless told otherwise and reads the real port from the
line the server prints. `kill()` (SIGKILL, as in a crash) and `stop()` (SIGTERM, a
graceful shutdown) end it; `start()` again restarts it on the same store, on a new
port unless one was given. The server's stderr goes to a temporary file, so a
failed start raises `ServerStartError` carrying what the server said.

`scratch_database(admin_dsn)` makes a throw-away PostgreSQL database to serve;
`scratch_store(kind, label)` a throw-away store of either kind (the benchmarks').
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, NoReturn

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from streamvis.model.errors import ServerStartError

_LISTENING = re.compile(r"^streamvis: gRPC listening on (?P<host>.+):(?P<port>\d+) \(store: ")
# "off" when started with --no-web: the start is complete without a web app.
_WEB = re.compile(r"^streamvis: web UI (?:at (?P<url>\S+)|off)")


class ServerProcess:
    """One `python -m streamvis serve` child process (restartable)."""

    def __init__(
        self,
        location: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_request_mb: int | None = None,
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 60.0,
        new_session: bool = False,
        tls_ca: str | None = None,
    ) -> None:
        self.location = location
        # In its own session a terminal's Ctrl-C does not reach the server, so whoever
        # started it (`streamvis demo`) can flush its loggers first and then stop it.
        self.new_session = new_session
        self.host = host
        self.requested_port = port
        self.max_request_mb = max_request_mb
        self.extra_args = tuple(extra_args)
        self.env = dict(os.environ if env is None else env)
        self.startup_timeout = startup_timeout
        # A server started with --tls-cert: its health is checked over TLS against this CA.
        self.tls_ca = tls_ca
        self.port = 0
        self.web_url = ""  # http://host:port/ of the web app, once it serves
        self.output: list[str] = []  # stdout lines, the listening line first
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self._last_stderr = ""
        self._reader: threading.Thread | None = None
        self._listening = threading.Event()
        self._web_ready = threading.Event()

    @property
    def uri(self) -> str:
        """host:port to give `Client`."""
        if not self.port:
            raise ServerStartError("the server is not running: call start() first")
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise ServerStartError("the server is not running: call start() first")
        return self._proc.pid

    def command(self) -> list[str]:
        is_url = self.location.startswith(("postgresql://", "postgres://"))
        where = "--db" if is_url else "--data-dir"
        args = [
            sys.executable, "-m", "streamvis", "serve", where, self.location,
            "--host", self.host, "--grpc-port", str(self.requested_port),
        ]
        if self.max_request_mb is not None:
            args += ["--max-request-mb", str(self.max_request_mb)]
        if "--http-port" not in self.extra_args:
            # Any free port: the fixed default may be held by another server.
            args += ["--http-port", "0"]
        return [*args, *self.extra_args]

    def start(self) -> ServerProcess:
        """Start the server and wait until it answers a health check."""
        if self._proc is not None:
            raise ServerStartError("the server is running already: stop() or kill() it first")
        self.port = 0
        self.web_url = ""
        self.output = []
        self._listening.clear()
        self._web_ready.clear()
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._proc = proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self._stderr, env=self.env, text=True, encoding="utf-8",
            start_new_session=self.new_session,
        )
        self._reader = threading.Thread(target=self._read_stdout, args=(proc,), daemon=True)
        self._reader.start()
        try:
            self._wait_listening(proc)
            self._wait_healthy()
            self._wait_web(proc)
        except BaseException:
            self.kill()
            raise
        return self

    def _read_stdout(self, proc: subprocess.Popen[str]) -> None:
        for line in proc.stdout or ():
            self.output.append(line.rstrip("\n"))
            match = _LISTENING.match(line)
            if match and not self._listening.is_set():
                self.port = int(match["port"])
                self._listening.set()
            web = _WEB.match(line)
            if web and not self._web_ready.is_set():
                self.web_url = web["url"] or ""
                self._web_ready.set()

    def _wait_web(self, proc: subprocess.Popen[str]) -> None:
        """Wait for the web app's line, printed once it serves, after the gRPC one."""
        deadline = time.monotonic() + self.startup_timeout
        while not self._web_ready.wait(0.05):
            if proc.poll() is not None:
                self._fail(f"exited with status {proc.returncode} before the web app served")
            if time.monotonic() > deadline:
                self._fail(f"printed no web UI line within {self.startup_timeout:g} s")

    def _wait_listening(self, proc: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while not self._listening.wait(0.05):
            if proc.poll() is not None:
                self._fail(f"exited with status {proc.returncode} before listening")
            if time.monotonic() > deadline:
                self._fail(f"printed no listening line within {self.startup_timeout:g} s")

    def _wait_healthy(self) -> None:
        if self.tls_ca is not None:
            with open(self.tls_ca, "rb") as ca:  # noqa: PTH123 - one small read
                credentials = grpc.ssl_channel_credentials(ca.read())
            channel = grpc.secure_channel(self.uri, credentials)
        else:
            channel = grpc.insecure_channel(self.uri)
        with channel:
            stub = health_pb2_grpc.HealthStub(channel)
            reply = stub.Check(
                health_pb2.HealthCheckRequest(service="streamvis.v1.Service"),
                timeout=self.startup_timeout, wait_for_ready=True,
            )
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            self._fail(f"reports health status {reply.status} instead of SERVING")

    def _fail(self, what: str) -> NoReturn:
        raise ServerStartError(
            f"streamvis serve ({' '.join(self.command()[3:])}) {what}; its stderr:\n"
            f"{self.stderr()}"
        )

    def stderr(self) -> str:
        """What the server wrote to stderr (its log), so far or until it ended."""
        if self._stderr is None:
            return self._last_stderr
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read()

    def stop(self, timeout: float = 20.0) -> int:
        """Stop gracefully (SIGTERM), killing it after `timeout` s; the exit status."""
        return self._end(signal.SIGTERM, timeout)

    def kill(self) -> int:
        """Kill at once (SIGKILL), as in a crash; the exit status."""
        return self._end(signal.SIGKILL, 10.0)

    def _end(self, sig: signal.Signals, timeout: float) -> int:
        proc = self._proc
        if proc is None:
            return 0
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._reader is not None:
            self._reader.join()
        if proc.stdout is not None:
            proc.stdout.close()
        self._last_stderr = self.stderr()
        if self._stderr is not None:
            self._stderr.close()
        self._proc, self._reader, self._stderr = None, None, None
        self.port = 0
        self.web_url = ""
        return proc.returncode

    def __enter__(self) -> ServerProcess:
        return self if self._proc is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.stop()


def _url(dsn: str, dbname: str) -> str:
    """`dsn` (a URL or key=value pairs) as a postgresql:// URL naming `dbname`."""
    import psycopg  # noqa: PLC0415 - only scratch databases need it, not the demo's server
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    user = urllib.parse.quote(str(params.pop("user", "")), safe="")
    password = urllib.parse.quote(str(params.pop("password", "")), safe="")
    host = str(params.pop("host", "localhost"))
    port = params.pop("port", None)
    params.pop("dbname", None)
    if host.startswith("/"):  # a socket directory travels as a parameter
        params["host"], host = host, ""
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    netloc = f"{auth}{host}{f':{port}' if port else ''}"
    query = urllib.parse.urlencode({k: str(v) for k, v in params.items()})
    return urllib.parse.urlunsplit(("postgresql", netloc, f"/{dbname}", query, ""))


@contextlib.contextmanager
def scratch_database(admin_dsn: str, prefix: str = "streamvis_test") -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `admin_dsn`, dropped afterwards.

    Yields its postgresql:// URL, the form `streamvis serve --db` takes.
    """
    import psycopg  # noqa: PLC0415 - only scratch databases need it, not the demo's server
    import psycopg.sql  # noqa: PLC0415

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    try:
        yield _url(admin_dsn, name)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                psycopg.sql.Identifier(name)
            ))


#: The PostgreSQL server benchmarks and tests use unless $STREAMVIS_TEST_PG_DSN names one.
DEFAULT_PG_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_pg_dsn() -> str:
    """The PostgreSQL server (an admin DSN) tests and benchmarks make scratch databases on."""
    return os.environ.get("STREAMVIS_TEST_PG_DSN", DEFAULT_PG_DSN)


@contextlib.contextmanager
def scratch_store(kind: str, label: str, *, sqlite_dir: Path | None = None) -> Iterator[str]:
    """A fresh store location: "sqlite" a new directory (`sqlite_dir`, or a temporary
    one), "postgres" a scratch database on $STREAMVIS_TEST_PG_DSN's server."""
    if kind == "sqlite":
        if sqlite_dir is not None:
            yield str(sqlite_dir)
            return
        with tempfile.TemporaryDirectory(prefix=f"streamvis-{label}-") as path:
            yield path
        return
    with scratch_database(admin_pg_dsn(), prefix=f"streamvis_{label}") as url:
        yield url


@contextlib.contextmanager
def scratch_store_or_none(kind: str, label: str) -> Iterator[str | None]:
    """`scratch_store`, but an unreachable PostgreSQL yields None, with a line on stderr
    naming `label`, so that a benchmark goes on with its SQLite figures."""
    if kind != "sqlite":
        import psycopg  # noqa: PLC0415 - only scratch databases need it, not the demo's server

        dsn = admin_pg_dsn()
        try:
            psycopg.connect(dsn, connect_timeout=5).close()
        except psycopg.Error as exc:
            print(  # noqa: T201 - the benchmark's note that its PostgreSQL figures are missing
                f"{label}: skipping PostgreSQL, not reachable at {dsn!r}: {exc}",
                file=sys.stderr,
            )
            yield None
            return
    with scratch_store(kind, label) as location:
        yield location
