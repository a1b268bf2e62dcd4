"""`streamvis artifacts RUN` and `streamvis download RUN NAME [-o PATH]`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# The command line's parser imports this module: what numpy, pyarrow or gRPC bring in
# loads inside the commands (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from streamvis.client import Client
    from streamvis.model.artifacts import Artifact

ClientOf = Callable[[argparse.Namespace], "Client"]


def artifact_json(a: Artifact) -> dict[str, Any]:
    return {
        "run": str(a.run), "name": a.name, "step": a.step, "size": a.size,
        "sha256": a.sha256, "media_type": a.media_type, "created_at": a.created_at,
    }


def show_artifacts(artifacts: list[Artifact], args: argparse.Namespace) -> str:
    from streamvis.checks.filter_text import format_time  # noqa: PLC0415 - see the top
    from streamvis.cli.tables import table  # noqa: PLC0415

    if args.json:
        return json.dumps([artifact_json(a) for a in artifacts], indent=2)
    rows = [
        (a.name, "" if a.step is None else a.step, f"{a.size:,}", a.media_type,
         format_time(a.created_at), a.sha256[:12])
        for a in artifacts
    ]
    return table(["NAME", "STEP", "BYTES", "MEDIA TYPE", "SAVED (UTC)", "SHA256"], rows)


def commands(add: Callable[..., argparse.ArgumentParser], client: ClientOf) -> None:
    """Add the artifact commands to the parser (`add` is build_parser's)."""

    def cmd_artifacts(args: argparse.Namespace) -> str:
        with client(args) as c:
            return show_artifacts(c.artifacts(c.resolve_run(args.run)), args)

    def cmd_download(args: argparse.Namespace) -> str:
        from pathlib import Path  # noqa: PLC0415 - a few ms that `runs` need not pay

        from streamvis.model.artifacts import pick  # noqa: PLC0415 - see the top
        from streamvis.query.artifacts import download  # noqa: PLC0415

        with client(args) as c:
            run = c.resolve_run(args.run)
            found = pick(c.artifacts(run), run, args.name, args.step)
            target = Path(args.output or Path(found.name).name)
            download(c, found, target)
        if args.json:
            return json.dumps({**artifact_json(found), "file": str(target)})
        return f"wrote {found.size:,} bytes of {found.name} to {target}"

    p = add("artifacts", cmd_artifacts, "list a run's artifacts (saved with logger.save)")
    p.add_argument("run", help="run handle, or a unique prefix of it (4 or more hex digits)")

    p = add("download", cmd_download, "write a run's artifact to a file (a saved directory "
            "comes as a tar); the hash is checked")
    p.add_argument("run", help="run handle, or a unique prefix of it (4 or more hex digits)")
    p.add_argument("name", help="artifact name")
    p.add_argument("--step", type=int, default=None,
                   help="the step it was saved at (default: the one saved without a step, "
                        "else the latest)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="the file to write (default: the artifact's name, in this directory)")
