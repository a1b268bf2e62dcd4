"""The `streamvis` command line.

Every command prints a readable table by default and JSON with `--json` (both made
in cli_tables). Errors are one line on stderr and a non-zero exit status, never a
traceback.

Importing this module loads no numpy, pyarrow, gRPC or logger (tests/cli/
test_startup.py): the parser is plain argparse, and each command imports what it needs
when it runs, so `streamvis --help` starts at once. Keep such imports inside the
commands. A run builds the options of the one command it runs (`_parser_for`), and the
program itself keeps the garbage collector off what start-up loads (`_loading`).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from streamvis._version import __version__
from streamvis.cli.artifacts import commands as artifact_commands
from streamvis.cli.runs_cmds import commands as run_commands
from streamvis.cli.schema_cmds import declare_commands, field_commands
from streamvis.model.environment import default_uri
from streamvis.model.errors import StreamvisError

if TYPE_CHECKING:
    from streamvis.client import Client

EXIT_ERROR = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], Any]

#: Whether main() runs as the `streamvis` program (the console script, `python -m
#: streamvis`) rather than called with arguments by a test or a script: only the program
#: changes how its process collects garbage (`_loading`).
_program = False


@contextlib.contextmanager
def _loading() -> Iterator[None]:
    """Import what a command needs with the garbage collector paused, then freeze it.

    Start-up makes some 30,000 objects (modules, classes, protobuf descriptors, gRPC)
    that live as long as the process. Collections that walk them while they are being
    made, and again at exit, free nothing and cost ≈ 10 ms of the imports and ≈ 30 ms
    of the exit of `streamvis runs` (bench_startup.py; decision 0013). gc.freeze() takes
    them out of the collector's sight, as the Python docs advise for long-lived state
    made at start-up; later garbage is collected as always.
    """
    if not _program:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


# -- commands ------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> None:
    from streamvis import settings  # noqa: PLC0415 - only this command has settings
    from streamvis.server import run_server  # noqa: PLC0415 - grpc server is heavy

    run_server(settings.resolve(args))


def _client(args: argparse.Namespace) -> Client:
    with _loading():
        from streamvis.client import Client  # noqa: PLC0415 - gRPC: see the docstring

    return Client(args.uri, token=args.token, tls=args.tls or None, tls_ca=args.tls_ca)


def cmd_demo(args: argparse.Namespace) -> None:
    from streamvis.cli.demo import main as demo  # noqa: PLC0415 - only this command needs it

    if args.runs < 1 or args.steps < 0 or args.interval < 0:
        raise StreamvisError("--runs must be 1 or more, --steps and --interval 0 or more")
    demo(args.uri, args.data_dir, args.http_port, steps=args.steps, runs=args.runs,
         interval=args.interval, use_async=args.use_async)


def cmd_sync(args: argparse.Namespace) -> str:
    from streamvis.logger.spool import sync_spool_counts  # noqa: PLC0415 - only this command

    counts = sync_spool_counts(args.spool_dir, args.uri, token=args.token,
                               tls=args.tls or None, tls_ca=args.tls_ca)
    if args.json:
        return json.dumps({"sent": counts.sent, "delivered": counts.delivered,
                           "rejected": counts.rejected})
    return f"sent {counts.sent} spooled batch(es): {counts.describe()}"


# -- parser --------------------------------------------------------------------


def _demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uri", default=default_uri(),
                   help="server address (default: $STREAMVIS_URI or localhost:8001; port 0: "
                        "start one on any free port)")
    p.add_argument("--data-dir", default="./streamvis-data",
                   help="embedded store of a server the demo starts (default: ./streamvis-data)")
    p.add_argument("--http-port", type=int, default=8080,
                   help="port of the web UI of a server the demo starts (default 8080; 0: "
                        "any); a server that answers at --uri says where its web UI is")
    p.add_argument("--steps", type=int, default=3000,
                   help="steps to log (default 3000, about 5 minutes; 0: until Ctrl-C)")
    p.add_argument("--runs", type=int, default=1,
                   help="runs to log side by side, a small sweep over lr and optimizer")
    p.add_argument("--interval", type=float, default=0.1,
                   help="seconds between steps (default 0.1)")
    p.add_argument("--async", dest="use_async", action="store_true",
                   help="log with AsyncDataLogger in an asyncio program")


def _connection_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--token", default=None,
                   help="the server's access token (default: $STREAMVIS_TOKEN; the "
                        "variable keeps it out of the process list)")
    p.add_argument("--tls", action="store_true",
                   help="connect over TLS, trusting the system's CA certificates "
                        "(default: $STREAMVIS_TLS)")
    p.add_argument("--tls-ca", metavar="CA.pem", default=None,
                   help="connect over TLS, trusting this CA certificate "
                        "(default: $STREAMVIS_TLS_CA)")


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    from streamvis import settings  # noqa: PLC0415 - the settings registry, serve's alone

    settings.add_arguments(p)


class _Unbuilt:
    """Takes the options of a command this run does not need, and drops them."""

    def __getattr__(self, name: str) -> Callable[..., _Unbuilt]:
        return self._drop

    def _drop(self, *_args: object, **_kwargs: object) -> _Unbuilt:
        return self


def build_parser(command: str | None = "") -> argparse.ArgumentParser:
    """The parser of every command, with its options ("", the default: what the docs
    and --help show), or of one command and just the names of the others (`command`
    None: only the names, which is all `streamvis --help` shows); `_parser_for` picks."""
    parser = argparse.ArgumentParser(
        prog="streamvis",
        description="Log typed, rectangular data from running programs and watch it live.",
    )
    parser.add_argument("--version", action="version", version=f"streamvis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    remote = argparse.ArgumentParser(add_help=False)
    remote.add_argument("--uri", default=default_uri(),
                        help="server address (default: $STREAMVIS_URI or localhost:8001)")
    remote.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _connection_arguments(remote)

    def add(name: str, handler: Handler, help_text: str, *, client: bool = True,
            arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> Any:
        if command is None or command not in ("", name):
            if command is None:  # listed by --help; its options are not needed
                sub.add_parser(name, help=help_text)
            return _Unbuilt()
        p = sub.add_parser(name, help=help_text, description=help_text,
                           parents=[remote] if client else [])
        p.set_defaults(handler=handler)
        if arguments is not None:
            arguments(p)
        return p

    add("serve", cmd_serve, "run the server (gRPC service on the embedded store or "
        "PostgreSQL)", client=False, arguments=_serve_arguments)

    field_commands(add, _client)
    run_commands(add, _client)
    artifact_commands(add, _client)
    declare_commands(add, _client)

    p = add("demo", cmd_demo, "log a live demo run and print the dashboard URL; starts a "
            "server on the embedded store if none answers at --uri", client=False)
    _demo_arguments(p)

    p = add("sync", cmd_sync, "send the batches a logger spooled while the server was away")
    p.add_argument("spool_dir", nargs="?", default=None, metavar="SPOOL_DIR",
                   help="spool directory (default: every spool under the default location)")
    if command and command not in sub.choices:
        return build_parser()  # a word that is no command: the error lists them all
    return parser


def _parser_for(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser `argv` needs: its command's options only, since building all of them
    is most of what parsing costs. The command is the first word that is not an option
    (the top level's options take no value); with none, or --help before it, only the
    commands' names are needed."""
    for word in argv:
        if word in ("-h", "--help"):
            break
        if not word.startswith("-"):
            return build_parser(word)
    return build_parser(None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` names (default: the program's own arguments, as the
    `streamvis` program, which also tunes its garbage collector: `_loading`)."""
    global _program  # noqa: PLW0603 - set once, by the program's own call
    if argv is None:
        _program = True
        argv = sys.argv[1:]
    with _loading():
        args = _parser_for(argv).parse_args(argv)
    try:
        out = args.handler(args)
        if out:
            print(out, flush=True)
    except StreamvisError as exc:
        print(f"streamvis {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    finally:
        if _program:
            gc.freeze()  # what the command made is freed at exit without a last walk
    return 0


def _reader_went_away() -> int:
    """The end of `streamvis ... | head`: exit quietly, as cat or ls do.

    Python ignores SIGPIPE, so a write to a closed pipe raises instead of ending the
    process. The rest of the output goes to /dev/null, so that the flush at exit does
    not fail a second time (the Python docs' recipe, "Note on SIGPIPE"); the status is
    the one a process ended by SIGPIPE reports, as 130 is for Ctrl-C.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE
