"""The schema commands: `create-field`, `update-field`, `fields`, `create-series`,
`series`, and the declared things: `apply`, `plots`, `delete-plot`, `delete-dashboard`.

The command line's parser imports this module: what numpy, pyarrow or gRPC bring in
loads inside the commands (tests/cli/test_startup.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from functools import partial

from streamvis.cli.artifacts import ClientOf
from streamvis.model.errors import AlreadyExistsError, StreamvisError
from streamvis.model.media import STRING_FORMATS


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


def cmd_create_field(client: ClientOf, args: argparse.Namespace) -> str:
    """Create a field; an identical one that exists is kept (as `apply` does)."""
    from streamvis.cli.tables import show_fields  # noqa: PLC0415
    from streamvis.model.schema import FieldType  # noqa: PLC0415

    ftype = FieldType.parse(args.type)
    options = {k: getattr(args, k) for k in ("format", "encoding", "quality", "fps")
               if getattr(args, k, None) is not None}
    with client(args) as c:
        try:
            return show_fields([c.create_field(args.name, ftype, args.description, options)],
                               args)
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


def cmd_update_field(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_fields  # noqa: PLC0415

    if args.new_name is None and args.description is None:
        raise StreamvisError("give --name NEW_NAME and/or --description TEXT to change")
    with client(args) as c:
        f = c.update_field(args.field, new_name=args.new_name, description=args.description)
        return show_fields([f], args)


def cmd_fields(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_fields  # noqa: PLC0415

    with client(args) as c:
        return show_fields(c.fields(), args)


def cmd_create_series(client: ClientOf, args: argparse.Namespace) -> str:
    """Create a series; one of the same fields that exists is kept (as `apply` does)."""
    from streamvis.cli.tables import show_series  # noqa: PLC0415

    with client(args) as c:
        try:
            return show_series([c.create_series(args.name, args.fields, args.x)], args)
        except AlreadyExistsError:
            have = next((s for s in c.series() if s.name == args.name), None)
            # Other fields or x make a different series: the server's refusal says so.
            if have is None or not have.is_declared_by(args.fields, args.x):
                raise
        _exists_already(args, f"series {have.name!r} ({', '.join(have.fields)})")
        return show_series([have], args)


def cmd_series(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_series  # noqa: PLC0415

    with client(args) as c:
        return show_series(c.series(), args)


def cmd_plots(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.cli.tables import show_saved  # noqa: PLC0415

    with client(args) as c:
        return show_saved(c.plots(), c.dashboards(), args)


def _deleted(args: argparse.Namespace, delete: Callable[[str], object], what: str) -> str:
    for name in args.names:
        delete(name)
    return json.dumps({"deleted": args.names}) if args.json else (
        f"deleted {len(args.names)} {what}(s)"
    )


def cmd_delete_plot(client: ClientOf, args: argparse.Namespace) -> str:
    with client(args) as c:
        return _deleted(args, c.delete_plot, "plot")


def cmd_delete_dashboard(client: ClientOf, args: argparse.Namespace) -> str:
    with client(args) as c:
        return _deleted(args, c.delete_dashboard, "dashboard")


def cmd_apply(client: ClientOf, args: argparse.Namespace) -> str:
    from streamvis.declare import apply_declaration, load_declaration  # noqa: PLC0415

    decl = load_declaration(args.file)
    with client(args) as c:
        report = apply_declaration(c, decl)
    if args.json:
        return json.dumps(vars(report), indent=2)
    lines = [f"created {x}" for x in report.created] + [f"updated {x}" for x in report.updated]
    if not lines:
        return f"nothing to change ({len(report.unchanged)} item(s) already as declared)"
    return "\n".join(lines)


def field_commands(add: Callable[..., argparse.ArgumentParser], client: ClientOf) -> None:
    """Add the field and series commands to the parser (`add` is build_parser's)."""
    p = add("create-field", partial(cmd_create_field, client), "declare a typed field")
    p.add_argument("name")
    p.add_argument("type", choices=_FieldTypeNames(), metavar="TYPE",
                   help="one of: %(choices)s")
    p.add_argument("description", nargs="?", default="")
    p.add_argument("--format", choices=STRING_FORMATS,
                   help="a string field's display format (default: plain)")
    p.add_argument("--encoding", help="a media field's encoding: image png (default), "
                   "jpeg or webp; audio wav; video mp4")
    p.add_argument("--quality", type=int, help="jpeg or webp quality, 1 to 100 (default 90)")
    p.add_argument("--fps", type=float, help="a video field's frames per second (default 10)")

    p = add("update-field", partial(cmd_update_field, client),
            "rename or describe a field (its type is fixed)")
    p.add_argument("field", help="current name")
    p.add_argument("--name", dest="new_name", help="new name")
    p.add_argument("--description", help="new description")

    add("fields", partial(cmd_fields, client), "list fields")

    p = add("create-series", partial(cmd_create_series, client),
            "declare a series: a fixed set of fields")
    p.add_argument("name")
    p.add_argument("fields", nargs="+", metavar="FIELD")
    p.add_argument("--x", metavar="FIELD", help="the field it is drawn against: one of "
                   "its int or float fields (default: its first int field)")

    add("series", partial(cmd_series, client), "list series")


def declare_commands(add: Callable[..., argparse.ArgumentParser], client: ClientOf) -> None:
    """Add `apply` and the saved plot and dashboard commands to the parser."""
    p = add("apply", partial(cmd_apply, client), "declare fields, series, plots and "
            "dashboards from a YAML file (idempotent)")
    p.add_argument("file", metavar="SCHEMA.yaml")

    add("plots", partial(cmd_plots, client), "list saved plots (the names dashboard URLs "
        "use), then saved dashboards")

    p = add("delete-plot", partial(cmd_delete_plot, client), "delete saved plots")
    p.add_argument("names", nargs="+", metavar="NAME", help="plot name")

    p = add("delete-dashboard", partial(cmd_delete_dashboard, client), "delete saved dashboards")
    p.add_argument("names", nargs="+", metavar="NAME", help="dashboard name")
