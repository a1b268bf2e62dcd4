"""Writes docs/cli.md from the CLI's own argparse help (run by scripts/gen-cli-docs).

--check: fail, changing nothing, if docs/cli.md differs from what the CLI says now.
Help is formatted at a fixed width so the page does not depend on the terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generated_doc import write_or_check  # scripts/lib, this script's folder

from streamvis import settings
from streamvis.cli import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
WIDTH = 92
HEADER = """# Command-line reference

Every `streamvis` command with its options, as `streamvis COMMAND --help` prints them.
This page is generated from the CLI itself by `scripts/gen-cli-docs`: do not edit it by
hand (a test fails when it drifts from the CLI). Commands that talk to a server take
`--uri` (default: `$STREAMVIS_URI` or `localhost:8001`) and print tables, or JSON with
`--json`; errors are one line on stderr and exit status 1.
"""


SETTINGS_HEADER = """## Server settings

Every setting of `streamvis serve` (from `src/streamvis/settings.py`), with the environment
variable that sets it when its option is not given. An option wins over its variable, a
variable over the default. Switches take `1`/`0` (`true`/`false`, `yes`/`no`, `on`/`off`)
in their variable; `STREAMVIS_ALLOWED_HOSTS` takes names separated by commas.
"""


def _help(parser: argparse.ArgumentParser) -> str:
    parser.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=WIDTH)
    return parser.format_help().rstrip()


def render() -> str:
    parser = build_parser()
    sections = [HEADER, "## streamvis\n", f"```text\n{_help(parser)}\n```\n"]
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001 - argparse has no public way to list subparsers
    for name, sub in commands.choices.items():
        sections += [f"## streamvis {name}\n", f"```text\n{_help(sub)}\n```\n"]
    sections += [SETTINGS_HEADER, settings.markdown_table() + "\n"]
    return "\n".join(sections)


def main(argv: list[str]) -> int:
    return write_or_check(DOC, render(), argv, source="the CLI", script="scripts/gen-cli-docs")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
