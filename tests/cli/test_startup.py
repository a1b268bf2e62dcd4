"""The command line starts at once: importing it, or printing its help, loads none of
the heavy libraries (numpy, pyarrow, gRPC) nor the logger; a command that talks to a
server loads the client (gRPC) when it runs (streamvis/cli/main.py,
streamvis/__init__.py), and one that lists runs, fields, series or plots loads no
numpy or pyarrow even then: the type registry makes its Arrow types on first use
(model/types.py).

Each check runs in a fresh interpreter, since this one has loaded everything already.
The wall time is measured in benchmarks/bench_startup.py, not asserted here.
"""

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

HEAVY = ("numpy", "pyarrow", "grpc", "streamvis.logger", "streamvis.client")


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules a fresh interpreter holds after running `code`."""
    return list(_probe(code)[0])


def _probe(code: str) -> tuple[list[str], str]:
    """The HEAVY modules a fresh interpreter holds after running `code`, and what `code`
    printed before."""
    probe = (
        f"import sys\n{code}\n"
        f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    *printed, last = out.splitlines()
    return list(json.loads(last)), "\n".join(printed)


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
    assert "pyarrow" in loaded_after("from streamvis import connect")
    # The model names Arrow types without pyarrow, and makes one when it is asked for.
    assert loaded_after("from streamvis import RunFilter") == []
    assert "pyarrow" in loaded_after(
        "from streamvis.model.types import FieldType\nFieldType.FLOAT.arrow_type")


def test_a_command_that_talks_to_a_server_loads_the_client():
    code = (
        "import contextlib, io\nfrom streamvis.cli import main\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['fields', '--uri', '127.0.0.1:1'])"
    )
    assert "streamvis.client" in loaded_after(code)


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with fields, a series and two runs with tags and attributes of each
    type: what the listing commands print."""
    with ServerProcess(str(tmp_path_factory.mktemp("startup"))) as server, \
            Client(server.uri) as c:
        for name, type_ in (("lr", "float"), ("layers", "int"), ("opt", "string"),
                            ("warm", "bool"), ("loss", "float")):
            c.create_field(name, type_)
        c.create_series("train", ["layers", "loss"])
        c.create_run(tags=["sweep"], attributes={"lr": 1e-3, "layers": 4, "opt": "adam",
                                                 "warm": True})
        c.create_run(tags=["baseline"], attributes={"lr": 0.1, "opt": "sgd"})
        yield server.uri


@pytest.mark.parametrize(("argv", "shows"), [
    (["runs"], "opt=adam"),
    (["runs", "--json"], '"warm": true'),
    (["runs", "--where", "lr=1e-4..1e-2", "--tag-none", "baseline"], "layers=4"),
    (["runs", "--limit", "1", "--started-after", "2020-01-01"], "HANDLE"),
    (["fields"], "layers  int"),
    (["series", "--json"], '"loss"'),
    (["plots"], "DASHBOARD"),
])
def test_listing_loads_no_numpy_or_pyarrow(listed, argv, shows):
    # The commands answer (from a real server), through gRPC, without numpy or pyarrow:
    # start-up is the interpreter, the parser and gRPC (benchmarks/bench_startup.py).
    code = (
        "from streamvis.cli import main\n"
        f"assert main({[*argv, '--uri', listed]!r}) == 0"
    )
    loaded, printed = _probe(code)
    assert shows in printed
    assert loaded == ["grpc", "streamvis.client"]
