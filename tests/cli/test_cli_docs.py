"""docs/cli.md is what the CLI's own help says (scripts/gen-cli-docs writes it)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_matches_the_parser():
    result = subprocess.run(
        [str(ROOT / "scripts" / "gen-cli-docs"), "--check"], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "PYTHON": sys.executable}, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_command_has_a_section():
    from streamvis.cli import build_parser  # noqa: PLC0415

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    usage = build_parser().format_usage()
    assert "COMMAND" in usage
    for name in ("serve", "demo", "sync", "apply", "runs"):
        assert f"\n## streamvis {name}\n" in text
