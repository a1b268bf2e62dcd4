"""The layers of DESIGN.md hold: the import-linter contracts in pyproject.toml, and the
rule no contract can say (the server side never imports the package face)."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "streamvis"
#: Server-side folders: importing `streamvis` itself would load the logger and numpy.
SERVER_SIDE = ("model", "checks", "store", "service", "web")


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout), result.stdout[-4000:]


def _imports_of_package_face(path: Path) -> list[str]:
    """`import streamvis` or `from streamvis import NAME` where NAME is no submodule."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name == "streamvis"]
        elif isinstance(node, ast.ImportFrom) and node.module == "streamvis" and not node.level:
            for alias in node.names:
                sub = SRC / alias.name
                if not (sub.is_dir() or sub.with_suffix(".py").is_file()):
                    found.append(f"from streamvis import {alias.name}")
    return found


def test_the_server_side_never_imports_the_package_face():
    offenders = {
        str(path.relative_to(ROOT)): found
        for folder in SERVER_SIDE
        for path in sorted((SRC / folder).rglob("*.py"))
        if (found := _imports_of_package_face(path))
    }
    server = SRC / "server.py"
    if server.exists() and (found := _imports_of_package_face(server)):
        offenders[str(server.relative_to(ROOT))] = found
    assert not offenders, f"import from submodules (e.g. streamvis._version): {offenders}"


def test_the_face_check_sees_a_face_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from streamvis import __version__, wire\nimport streamvis\n")
    assert _imports_of_package_face(bad) == ["from streamvis import __version__",
                                             "import streamvis"]
