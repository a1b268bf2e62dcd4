"""The `streamvis` command line: the commands (main.py), what they print (tables.py),
`export`, `demo` and the demo's local server."""

from streamvis.cli.main import EXIT_ERROR, build_parser, main

__all__ = ["EXIT_ERROR", "build_parser", "main"]
