"""The command line starts at once: importing it, or printing its help, loads none of
the heavy libraries (numpy, pyarrow, gRPC) nor the logger; a command that talks to a
server loads them when it runs (streamvis/cli/main.py, streamvis/__init__.py).

Each check runs in a fresh interpreter, since this one has loaded everything already.
The wall time is measured in benchmarks/bench_startup.py, not asserted here.
"""

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pyarrow", "grpc", "streamvis.logger", "streamvis.client")


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules a fresh interpreter holds after running `code`."""
    probe = (
        f"import sys\n{code}\n"
        f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    return list(json.loads(out.splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import streamvis",
    "import streamvis.cli.main",
    "import streamvis.cli",
    "from streamvis import StreamvisError, __version__",
])
def test_importing_the_command_line_loads_no_heavy_library(code):
    assert loaded_after(code) == []


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["runs", "--help"],
                                  ["serve", "--help"]])
def test_help_loads_no_heavy_library(argv):
    code = (
        "import contextlib, io\nfrom streamvis.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main({argv!r})"
    )
    assert loaded_after(code) == []


def test_a_public_name_loads_its_module_on_first_use():
    # The lazy names still work, and load what they need only then.
    assert "streamvis.logger" in loaded_after("import streamvis\nstreamvis.DataLogger")
    assert "pyarrow" in loaded_after("from streamvis import RunFilter")


def test_a_command_that_talks_to_a_server_loads_the_client():
    code = (
        "import contextlib, io\nfrom streamvis.cli import main\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['fields', '--uri', '127.0.0.1:1'])"
    )
    assert "streamvis.client" in loaded_after(code)
