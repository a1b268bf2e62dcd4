"""The `streamvis` command line.

Every command prints a readable table by default and JSON with `--json` (both made
in cli_tables). Errors are one line on stderr and a non-zero exit status, never a
traceback.

Importing this module loads no numpy, pyarrow, gRPC or logger (tests/cli/
test_startup.py): the parser is plain argparse, and each command imports what it needs
when it runs, so `streamvis --help` starts at once. Keep such imports inside the
commands.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from streamvis import settings
from streamvis._version import __version__
from streamvis.cli.artifacts import commands as artifact_commands
from streamvis.cli.runinfo import add_arguments as add_run_arguments
from streamvis.cli.runinfo import cmd_run
from streamvis.model.errors import AlreadyExistsError, StreamvisError
from streamvis.model.security import default_uri

if TYPE_CHECKING:
    from streamvis.client import Client
    from streamvis.model.schema import RunFilter

EXIT_ERROR = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], Any]


# -- commands ------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> None:
    from streamvis.server import run_server  # noqa: PLC0415 - grpc server is heavy

    run_server(settings.resolve(args))


def _client(args: argparse.Namespace) -> Client:
    from streamvis.client import Client  # noqa: PLC0415 - gRPC, numpy: see the docstring

    return Client(args.uri, token=args.token, tls=args.tls or None, tls_ca=args.tls_ca)


class _FieldTypeNames:
    """The registered field types' names, read from the registry (numpy, pyarrow) only
    when argparse checks or shows `create-field`'s TYPE, not when building the parser."""

    def _names(self) -> list[str]:
        from streamvis.model.types import FieldType  # noqa: PLC0415 - see the class

        return [t.value for t in FieldType]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()


def _exists_already(args: argparse.Namespace, what: str) -> None:
    """Say on stderr that a create changed nothing; stdout shows what exists, as a
    create that made it would."""
    print(f"streamvis {args.command}: {what} exists already as declared; nothing changed",
          file=sys.stderr)


def cmd_create_field(args: argparse.Namespace) -> str:
    """Create a field; an identical one that exists is kept (as `apply` does)."""
    from streamvis.cli.tables import show_fields  # noqa: PLC0415
    from streamvis.model.schema import FieldType  # noqa: PLC0415

    ftype = FieldType.parse(args.type)
    with _client(args) as c:
        try:
            return show_fields([c.create_field(args.name, ftype, args.description)], args)
        except AlreadyExistsError:
            have = next((f for f in c.fields() if f.name == args.name), None)
            # Another type is a different field: the server's refusal says so.
            if have is None or have.type is not ftype:
                raise
        if args.description and args.description != have.description:
            raise AlreadyExistsError(
                f"field {have.name!r} exists already, described as {have.description!r}: "
                f"change that with `streamvis update-field {have.name} --description "
                "TEXT`, or choose another name"
            )
        _exists_already(args, f"field {have.name!r} ({have.type.value})")
        return show_fields([have], args)


def cmd_update_field(args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_fields  # noqa: PLC0415

    if args.new_name is None and args.description is None:
        raise StreamvisError("give --name NEW_NAME and/or --description TEXT to change")
    with _client(args) as c:
        f = c.update_field(args.field, new_name=args.new_name, description=args.description)
        return show_fields([f], args)


def cmd_fields(args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_fields  # noqa: PLC0415

    with _client(args) as c:
        return show_fields(c.fields(), args)


def cmd_create_series(args: argparse.Namespace) -> str:
    """Create a series; one of the same fields that exists is kept (as `apply` does)."""
    from streamvis.cli.tables import show_series  # noqa: PLC0415

    with _client(args) as c:
        try:
            return show_series([c.create_series(args.name, args.fields)], args)
        except AlreadyExistsError:
            have = next((s for s in c.series() if s.name == args.name), None)
            # Other fields make a different series: the server's refusal says so.
            if have is None or not have.is_declared_by(args.fields):
                raise
        _exists_already(args, f"series {have.name!r} ({', '.join(have.fields)})")
        return show_series([have], args)


def cmd_series(args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_series  # noqa: PLC0415

    with _client(args) as c:
        return show_series(c.series(), args)


def _run_filter(args: argparse.Namespace, c: Client) -> RunFilter:
    """The filter that `_run_filter_arguments`' options describe."""
    from streamvis.checks.filter_text import build_filter  # noqa: PLC0415

    found = build_filter(
        c.fields() if args.where else [],
        tags_any=args.tag_any, tags_all=args.tag_all, tags_none=args.tag_none,
        where=args.where, started_after=args.started_after,
        started_before=args.started_before,
    )
    if not args.run:
        return found
    # Each --run is a handle or a unique prefix, resolved before anything is read.
    handles = tuple(dict.fromkeys(c.resolve_run(h) for h in args.run))
    return dataclasses.replace(found, handles=handles)


def cmd_runs(args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_runs  # noqa: PLC0415

    with _client(args) as c:
        return show_runs(c.runs(_run_filter(args, c), limit=args.limit), args)


def cmd_import_runs(args: argparse.Namespace) -> str:
    from streamvis.cli.import_runs import import_runs, read_runs  # noqa: PLC0415

    runs = read_runs(args.file)
    with _client(args) as c:
        created = import_runs(c, runs)
    if args.json:
        return json.dumps({"created": created, "file": args.file})
    return f"created {created} run(s) from {args.file}"


def cmd_import_tensorboard(args: argparse.Namespace) -> str:
    from streamvis.tb_import import import_tensorboard  # noqa: PLC0415

    done = import_tensorboard(args.logdir, args.uri, token=args.token,
                              tls=args.tls or None, tls_ca=args.tls_ca)
    if args.json:
        return json.dumps({"runs": done.runs, "scalars": done.scalars, "texts": done.texts,
                           "skipped": done.skipped})
    skipped = ", ".join(f"{n} {k}" for k, n in sorted(done.skipped.items()))
    return (f"imported {len(done.runs)} run(s) from {args.logdir}: {done.scalars} scalar "
            f"and {done.texts} text row(s)" + (f"; skipped {skipped}" if skipped else ""))


def cmd_export(args: argparse.Namespace) -> str:
    from streamvis.cli.export import export_series  # noqa: PLC0415 - pyarrow writers load slowly

    with _client(args) as c:
        rows = export_series(
            c, args.series, args.output, run_filter=_run_filter(args, c),
            fields=_names(args.fields), attributes=_names(args.attributes),
        )
    if args.json:
        return json.dumps({"series": args.series, "rows": rows, "file": args.output})
    return f"wrote {rows} rows of {args.series} to {args.output}"


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def cmd_tag(args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_runs  # noqa: PLC0415

    with _client(args) as c:
        handle = c.resolve_run(args.run)
        change = c.remove_tag if args.untag else c.add_tag
        runs = [change(handle, tag) for tag in args.tags]
        return show_runs(runs[-1:], args)


def cmd_delete_run(args: argparse.Namespace) -> str:
    with _client(args) as c:
        # Every prefix is resolved before any run is deleted: one ambiguous or unknown
        # prefix deletes nothing.
        handles = [c.resolve_run(h) for h in args.runs]
        for h in handles:
            c.delete_run(h)
    deleted = [str(h) for h in handles]
    return json.dumps({"deleted": deleted}) if args.json else f"deleted {len(deleted)} run(s)"


def cmd_plots(args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_saved  # noqa: PLC0415

    with _client(args) as c:
        return show_saved(c.plots(), c.dashboards(), args)


def _deleted(args: argparse.Namespace, delete: Callable[[str], object], what: str) -> str:
    for name in args.names:
        delete(name)
    return json.dumps({"deleted": args.names}) if args.json else (
        f"deleted {len(args.names)} {what}(s)"
    )


def cmd_delete_plot(args: argparse.Namespace) -> str:
    with _client(args) as c:
        return _deleted(args, c.delete_plot, "plot")


def cmd_delete_dashboard(args: argparse.Namespace) -> str:
    with _client(args) as c:
        return _deleted(args, c.delete_dashboard, "dashboard")


def cmd_apply(args: argparse.Namespace) -> str:
    from streamvis.declare import apply_declaration, load_declaration  # noqa: PLC0415

    decl = load_declaration(args.file)
    with _client(args) as c:
        report = apply_declaration(c, decl)
    if args.json:
        return json.dumps(vars(report), indent=2)
    lines = [f"created {x}" for x in report.created] + [f"updated {x}" for x in report.updated]
    if not lines:
        return f"nothing to change ({len(report.unchanged)} item(s) already as declared)"
    return "\n".join(lines)


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


def _run_filter_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("which runs (all conditions must hold; default: every run)")
    g.add_argument("--run", action="append", default=[], metavar="HANDLE",
                   help="is this run: a handle or a unique prefix of one, 4 or more hex "
                        "digits (repeatable: any of them)")
    g.add_argument("--tag-any", action="append", default=[], metavar="TAG",
                   help="has at least one of these tags (repeatable)")
    g.add_argument("--tag-all", action="append", default=[], metavar="TAG",
                   help="has every one of these tags (repeatable)")
    g.add_argument("--tag-none", action="append", default=[], metavar="TAG",
                   help="has none of these tags (repeatable)")
    g.add_argument("--where", action="append", default=[], metavar="COND",
                   help="attribute condition: FIELD=VALUE, FIELD=V1,V2 or FIELD=LO..HI "
                        "(repeatable)")
    g.add_argument("--started-after", metavar="TIME", help="ISO date/time (UTC) or epoch seconds")
    g.add_argument("--started-before", metavar="TIME", help="ISO date/time (UTC) or epoch seconds")


def _run_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("run", cmd_run, "show what a run captured: command, config, git, environment, "
            "series, diff, packages, progress, console")
    add_run_arguments(p)

    p = add("runs", cmd_runs, "list runs, newest first, optionally filtered")
    _run_filter_arguments(p)
    p.add_argument("--limit", type=int, default=0, help="at most this many runs (0: all)")

    p = add("import-runs", cmd_import_runs, "create runs from a JSON Lines file, one per "
            "line: handle, tags, attributes, started_at (all optional)")
    p.add_argument("file", metavar="FILE.jsonl", help="the file (-: standard input)")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = (
        "Each line is a JSON object, e.g.\n"
        '  {"tags": ["sweep3"], "attributes": {"lr": 0.001}, "started_at": '
        '"2026-11-01T12:00"}\n'
        "handle: a UUID (default: the server makes one); attributes: the fields must "
        "exist;\nstarted_at: epoch seconds or an ISO date/time, UTC (default: now). "
        "Every line is\nchecked before any run is sent; runs go in batches of "
        "MAX_RUNS_PER_CREATE, each\ncreated whole or not at all."
    )

    p = add("import-tensorboard", cmd_import_tensorboard, "import a TensorBoard log "
            "directory: one run per event directory, its scalars and text (docs/compat.md)")
    p.add_argument("logdir", metavar="LOGDIR")

    p = add("export", cmd_export, "write a series' data for some runs to a Parquet, CSV or "
            "Arrow file")
    p.add_argument("series")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the file to write; its suffix picks the format: .parquet, .csv, "
                        ".arrow or .feather (replaced only once every row is written)")
    p.add_argument("--fields", metavar="F1,F2", help="the fields to export (default: all)")
    p.add_argument("--attributes", metavar="A1,A2",
                   help="run attributes to add as columns, e.g. lr,optimizer")
    _run_filter_arguments(p)


def _declare_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("apply", cmd_apply, "declare fields, series, plots and dashboards from a YAML "
            "file (idempotent)")
    p.add_argument("file", metavar="SCHEMA.yaml")

    add("plots", cmd_plots, "list saved plots (the names dashboard URLs use), then saved "
        "dashboards")

    p = add("delete-plot", cmd_delete_plot, "delete saved plots")
    p.add_argument("names", nargs="+", metavar="NAME", help="plot name")

    p = add("delete-dashboard", cmd_delete_dashboard, "delete saved dashboards")
    p.add_argument("names", nargs="+", metavar="NAME", help="dashboard name")


def build_parser() -> argparse.ArgumentParser:
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

    def add(name: str, handler: Handler, help_text: str, *, client: bool = True) -> Any:
        p = sub.add_parser(name, help=help_text, description=help_text,
                           parents=[remote] if client else [])
        p.set_defaults(handler=handler)
        return p

    p = add("serve", cmd_serve, "run the server (gRPC service on the embedded store or "
            "PostgreSQL)", client=False)
    settings.add_arguments(p)

    p = add("create-field", cmd_create_field, "declare a typed field")
    p.add_argument("name")
    p.add_argument("type", choices=_FieldTypeNames(), metavar="TYPE",
                   help="one of: %(choices)s")
    p.add_argument("description", nargs="?", default="")

    p = add("update-field", cmd_update_field, "rename or describe a field (its type is fixed)")
    p.add_argument("field", help="current name")
    p.add_argument("--name", dest="new_name", help="new name")
    p.add_argument("--description", help="new description")

    add("fields", cmd_fields, "list fields")

    p = add("create-series", cmd_create_series, "declare a series: a fixed set of fields")
    p.add_argument("name")
    p.add_argument("fields", nargs="+", metavar="FIELD")

    add("series", cmd_series, "list series")

    _run_commands(add)

    for name, untag in (("tag", False), ("untag", True)):
        p = add(name, cmd_tag, f"{'remove tags from' if untag else 'add tags to'} a run")
        p.add_argument("run", help="run handle, or a unique prefix of it (4 or more hex digits)")
        p.add_argument("tags", nargs="+", metavar="TAG")
        p.set_defaults(untag=untag)

    p = add("delete-run", cmd_delete_run, "delete runs with all their data")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="run handle, or a unique prefix of it (4 or more hex digits)")

    artifact_commands(add, _client)

    _declare_commands(add)

    p = add("demo", cmd_demo, "log a live demo run and print the dashboard URL; starts a "
            "server on the embedded store if none answers at --uri", client=False)
    _demo_arguments(p)

    p = add("sync", cmd_sync, "send the batches a logger spooled while the server was away")
    p.add_argument("spool_dir", nargs="?", default=None, metavar="SPOOL_DIR",
                   help="spool directory (default: every spool under the default location)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
