"""What the doc generators share (cli_docs.py, limits_docs.py): write the page, or with
--check fail, changing nothing, when the page differs from what its source says now."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write_or_check(doc: Path, text: str, argv: list[str], *, source: str, script: str) -> int:
    """Exit status: 0 once `doc` holds `text` (written, or found so with --check), 1 if
    --check finds it differs."""
    name = doc.relative_to(ROOT)
    if "--check" in argv:
        if not doc.is_file() or doc.read_text(encoding="utf-8") != text:
            print(f"{name} is out of date with {source}: run {script}", file=sys.stderr)  # noqa: T201
            return 1
        print(f"{name} matches {source}")  # noqa: T201
        return 0
    doc.write_text(text, encoding="utf-8")
    print(f"wrote {name} from {source}")  # noqa: T201
    return 0
