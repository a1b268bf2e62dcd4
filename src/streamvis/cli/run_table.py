"""`streamvis run-table SERIES`: one row per run, its attributes and summaries of the
series' numeric fields: the table of the web UI's hyperparameter views, from
`Client.run_table` (client.py; `streamvis.connect(...).run_table` in Python).

It prints a table to read (numbers as the web UI shows them), CSV (`--format csv`, the
writer `streamvis export` uses) or JSON (`--format json` or `--json`: a list of objects,
NaN as null).
"""

from __future__ import annotations

import argparse
import io
import json
import math
from typing import TYPE_CHECKING

# The command line's parser imports this module: what numpy, pyarrow or gRPC bring in
# loads inside the command (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from collections.abc import Callable

    import pyarrow as pa

    from streamvis.cli.artifacts import ClientOf
    from streamvis.client import Client
    from streamvis.model.schema import RunFilter

    #: How a command reads the run filter options (runs_cmds.py's `_run_filter`).
    RunFilterOf = Callable[[argparse.Namespace, Client], RunFilter]

FORMATS = ("table", "csv", "json")


def format_run_table(t: pa.Table, form: str) -> str:
    """The per-run table `t` as the command prints it in the format `form`."""
    if form == "json":
        rows = [{k: None if isinstance(v, float) and math.isnan(v) else v
                 for k, v in row.items()} for row in t.to_pylist()]
        return json.dumps(rows, indent=2)
    if form == "csv":
        from streamvis.model.table_files import writer_for  # noqa: PLC0415 - see the top

        sink = io.BytesIO()
        writer = writer_for("csv", "--format")(sink, t.schema)
        for batch in t.to_batches():
            writer.write(batch)
        writer.close()
        return sink.getvalue().decode().rstrip("\n")
    from streamvis.cli.tables import format_value, table  # noqa: PLC0415

    return table(t.column_names, [[format_value(v) for v in row.values()]
                                  for row in t.to_pylist()])


def cmd_run_table(client: ClientOf, run_filter: RunFilterOf, args: argparse.Namespace) -> str:
    with client(args) as c:
        t = c.run_table(args.series, args.field or None, args.attr, run_filter(args, c))
    return format_run_table(t, "json" if args.json else args.format)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("series", metavar="SERIES")
    p.add_argument("--field", action="append", default=[], metavar="F",
                   help="a column: last.F, min.F, max.F (a summary of the numeric field F), "
                        "rows or attr.NAME; or a numeric field F for its last, min and max "
                        "(repeatable; default: rows and all three of every numeric field)")
    p.add_argument("--attr", action="append", default=[], metavar="A",
                   help="a run attribute to add as the column attr.A; runs without it are "
                        "left out (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="print a table to read (default), CSV or JSON (as --json)")

