"""The run commands: `run`, `runs`, `import-runs`, `import-tensorboard`,
`import-mlflow`, `export`,
`tag`, `untag`, `delete-run` and `run-table`, and the options that pick runs.

The command line's parser imports this module: what numpy, pyarrow or gRPC bring in
loads inside the commands (tests/cli/test_startup.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from streamvis.cli.artifacts import ClientOf
from streamvis.cli.run_table import add_arguments as add_run_table_arguments
from streamvis.cli.run_table import cmd_run_table
from streamvis.cli.runinfo import add_arguments as add_run_arguments
from streamvis.cli.runinfo import cmd_run

if TYPE_CHECKING:
    from streamvis.client import Client
    from streamvis.model.schema import RunFilter


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


def cmd_runs(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_runs  # noqa: PLC0415

    with client(args) as c:
        return show_runs(c.runs(_run_filter(args, c), limit=args.limit), args)


def cmd_import_runs(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.import_runs import import_runs, read_runs  # noqa: PLC0415

    runs = read_runs(args.file)
    with client(args) as c:
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


def cmd_import_mlflow(args: argparse.Namespace) -> str:
    from streamvis.mlflow_import import import_mlflow  # noqa: PLC0415 - MLflow loads slowly

    done = import_mlflow(args.store, args.uri, token=args.token, tls=args.tls or None,
                         tls_ca=args.tls_ca)
    if args.json:
        return json.dumps(dataclasses.asdict(done))
    return (f"imported {len(done.runs)} run(s) from {args.store}: {done.params} param(s), "
            f"{done.metrics} metric value(s), {done.tags} tag(s)")


def cmd_export(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.export import export_series  # noqa: PLC0415 - pyarrow writers load slowly

    with client(args) as c:
        rows = export_series(
            c, args.series, args.output, run_filter=_run_filter(args, c),
            fields=_names(args.fields), attributes=_names(args.attributes),
        )
    if args.json:
        return json.dumps({"series": args.series, "rows": rows, "file": args.output})
    return f"wrote {rows} rows of {args.series} to {args.output}"


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def cmd_tag(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_runs  # noqa: PLC0415

    with client(args) as c:
        handle = c.resolve_run(args.run)
        change = c.remove_tag if args.untag else c.add_tag
        runs = [change(handle, tag) for tag in args.tags]
        return show_runs(runs[-1:], args)


def cmd_delete_run(client: ClientOf, args: argparse.Namespace) -> str:
    with client(args) as c:
        # Every prefix is resolved before any run is deleted: one ambiguous or unknown
        # prefix deletes nothing.
        handles = [c.resolve_run(h) for h in args.runs]
        for h in handles:
            c.delete_run(h)
    deleted = [str(h) for h in handles]
    return json.dumps({"deleted": deleted}) if args.json else f"deleted {len(deleted)} run(s)"


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


def commands(add: Callable[..., argparse.ArgumentParser], client: ClientOf) -> None:
    """Add the run commands to the parser (`add` is build_parser's)."""
    p = add("run", cmd_run, "show what a run captured: command, config, git, environment, "
            "series, diff, packages, progress, console")
    add_run_arguments(p)

    p = add("runs", partial(cmd_runs, client),
            "list runs, newest first, optionally filtered")
    _run_filter_arguments(p)
    p.add_argument("--limit", type=int, default=0, help="at most this many runs (0: all)")
    p.add_argument("--attributes", type=_names, metavar="A1,A2",
                   help="the attributes to show (a name ending in '.' takes all it begins, "
                   "e.g. git.,lr; default: all but those the logger captured by itself: "
                   "command., git., env.; --json gives every one)")

    p = add("import-runs", partial(cmd_import_runs, client), "create runs from a JSON "
            "Lines file, one per line: handle, tags, attributes, started_at (all optional)")
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

    p = add("import-mlflow", cmd_import_mlflow, "import an MLflow tracking store: one run "
            "per MLflow run, params as attributes, metrics as series (docs/compat.md)")
    p.add_argument("store", metavar="STORE", help="a tracking URI (sqlite:///mlflow.db, "
                   "http://host:5000) or a file store directory (./mlruns)")

    p = add("export", partial(cmd_export, client), "write a series' data for some runs to "
            "a Parquet, CSV or Arrow file")
    p.add_argument("series")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the file to write; its suffix picks the format: .parquet, .csv, "
                        ".arrow or .feather (replaced only once every row is written)")
    p.add_argument("--fields", metavar="F1,F2", help="the fields to export (default: all)")
    p.add_argument("--attributes", metavar="A1,A2",
                   help="run attributes to add as columns, e.g. lr,optimizer")
    _run_filter_arguments(p)

    p = add("run-table", partial(cmd_run_table, client, _run_filter), "one row per run: "
            "its attributes and the last, min and max of a series' numeric fields (the "
            "hyperparameter views' table)")
    add_run_table_arguments(p)
    _run_filter_arguments(p)

    for name, untag in (("tag", False), ("untag", True)):
        p = add(name, partial(cmd_tag, client),
                f"{'remove tags from' if untag else 'add tags to'} a run")
        p.add_argument("run", help="run handle, or a unique prefix of it (4 or more hex digits)")
        p.add_argument("tags", nargs="+", metavar="TAG")
        p.set_defaults(untag=untag)

    p = add("delete-run", partial(cmd_delete_run, client),
            "delete runs with all their data")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="run handle, or a unique prefix of it (4 or more hex digits)")

