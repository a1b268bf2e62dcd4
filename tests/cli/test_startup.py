"""The command line starts at once: importing it, or printing its help, loads none of
the heavy libraries (numpy, pyarrow, gRPC) nor the logger; a command that talks to a
server loads the client (gRPC) when it runs (streamvis/cli/main.py,
streamvis/__init__.py), and one that lists runs, fields, series or plots loads no
numpy or pyarrow even then: the type registry makes its Arrow types on first use
(model/types.py), nor anything else on NOT_FOR_LISTING. A run builds the options of its
one command only, which must be the whole parser's; the program (not a caller of
main(argv)) freezes what start-up loaded out of the garbage collector's way.

Each check runs in a fresh interpreter, since this one has loaded everything already.
The wall time is measured in benchmarks/bench_startup.py, not asserted here.
"""

import argparse
import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from streamvis.cli import build_parser, main
from streamvis.client import Client
from streamvis.testing import ServerProcess

HEAVY = ("numpy", "pyarrow", "grpc", "streamvis.logger", "streamvis.client")
#: What a listing does not need, each a few milliseconds of start-up (decision 0013):
#: the server's settings and security checks, the types of data, artifacts, controls
#: and summaries (each dataclass costs about a millisecond to make), pathlib (with
#: urllib and ipaddress), hashlib.
NOT_FOR_LISTING = (
    "numpy", "pyarrow", "streamvis.logger", "streamvis.settings", "streamvis.model.security",
    "streamvis.model.chunks", "streamvis.wire_extras", "streamvis.model.artifacts",
    "streamvis.model.controls", "streamvis.model.run_summaries", "streamvis.model.events",
    "pathlib", "ipaddress", "hashlib",
)


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules a fresh interpreter holds after running `code`."""
    return list(_probe(code)[0])


def _probe(code: str, watched: tuple[str, ...] = HEAVY) -> tuple[list[str], str]:
    """The `watched` modules a fresh interpreter holds after running `code`, and what
    `code` printed before."""
    probe = (
        f"import sys\n{code}\n"
        f"print(__import__('json').dumps([m for m in {watched!r} if m in sys.modules]))"
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


@pytest.mark.parametrize("argv", [["runs"], ["fields"], ["series"], ["plots"],
                                  ["runs", "--where", "lr=0.1"]])
def test_listing_loads_nothing_it_does_not_need(listed, argv):
    code = (
        "import contextlib, io\nfrom streamvis.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main({[*argv, '--uri', listed]!r}) == 0"
    )
    assert _probe(code, NOT_FOR_LISTING)[0] == []


def _as_program(argv: list[str], *, program: bool) -> str:
    """Code that runs `argv` as the `streamvis` program does (main() reads sys.argv), or
    as a caller of main(argv) does, and prints (frozen objects?, collector on?)."""
    call = "main()" if program else f"main({argv!r})"
    return (
        f"import contextlib, gc, io\nsys.argv = ['streamvis', *{argv!r}]\n"
        "from streamvis.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert {call} == 0\n"
        "print(gc.get_freeze_count() > 0, gc.isenabled())"
    )


def test_the_program_freezes_what_start_up_loaded(listed):
    # The program's start-up objects are frozen (no collection walks them again, nor at
    # exit), and the collector is on for what the command does after.
    assert _probe(_as_program(["fields", "--uri", listed], program=True))[1] == "True True"


def test_a_caller_of_main_keeps_its_collector_as_it_was(listed):
    assert _probe(_as_program(["fields", "--uri", listed], program=False))[1] == "False True"


def _printed_help(parse: Callable[[], object]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        parse()
    return out.getvalue()


def _commands() -> list[str]:
    parser = build_parser()
    # argparse has no public way to list subparsers (as scripts/lib/cli_docs.py finds).
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


@pytest.mark.parametrize("argv", [["--help"], *([c, "--help"] for c in _commands())])
def test_the_parser_of_one_command_is_the_whole_parsers(argv):
    # A run builds only its command's options (and --help only the names): each help,
    # and so each command's options, is what the whole parser (docs/cli.md) says.
    assert _printed_help(lambda: main(argv)) == _printed_help(
        lambda: build_parser().parse_args(argv))


def test_a_word_that_is_no_command_is_refused_with_every_command_listed(capsys):
    assert _printed_help(lambda: main(["lsit"])) == ""
    err = capsys.readouterr().err
    assert "invalid choice: 'lsit'" in err
    assert all(f"'{c}'" in err for c in _commands())
