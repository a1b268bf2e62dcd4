"""Command line start-up: the wall and CPU time of `streamvis` commands, each in a fresh
interpreter, as a shell runs them — help, and listing runs, fields, series and plots from a
server with a few runs (one this benchmark starts, or --uri).

Prints one JSON line per figure:

    {"figure": "cli_startup_ms", "command": "runs", "tree": "src", "median_ms": ...,
     "min_ms": ..., "max_ms": ..., "cpu_median_ms": ..., "cpu_min_ms": ...,
     "repeat": 15, "loaded": ["grpc"], "load_avg": 1.4}

`cpu_*` is the child's user + system time: on a shared machine the wall time follows
the load, the CPU time much less. `loaded` lists the heavy modules (numpy, pyarrow,
grpc, the logger) the command loaded: none for help; gRPC alone for the listings
(tests/cli/test_startup.py guards both; the goal is 150 ms on the 2-core development
machine). `python -c pass` is timed as the floor: what the interpreter alone costs.

With `--baseline OTHER/src` each command also runs from another checkout's source (say
/work/main/src), interleaved run by run with this one's, so both see the same load.

Each tree's bytecode is compiled first (compileall): an installed streamvis has its
.pyc files, and with PYTHONDONTWRITEBYTECODE set (as on the development machine) every
run would otherwise compile the modules it imports, ≈ 40 ms that no user pays.

With `--instructions`, each command also runs once under valgrind (callgrind) and
`instructions_m` gives the millions of instructions it executed: a figure that does not
follow the machine's load, for comparing trees on a busy machine.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 15] [--uri HOST:PORT]
        [--baseline DIR] [--instructions]
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from streamvis.client import Client
from streamvis.testing import ServerProcess

SRC = str(Path(__file__).resolve().parents[1] / "src")
HEAVY = ("numpy", "pyarrow", "grpc", "streamvis.logger")
PROBE = (
    "import sys, contextlib, io\n"
    "from streamvis.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    main({argv!r})\n"
    "print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)\n"
)


def _env(src: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": src}


def once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with status {proc.returncode}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def loaded(argv: list[str], src: str) -> list[str]:
    """The heavy modules one run of the command loads."""
    probe = PROBE.format(argv=argv, heavy=HEAVY)
    err = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=False, env=_env(src)).stderr
    return list(json.loads(err.strip().splitlines()[-1].replace("'", '"')))


def instructions(cmd: list[str], env: dict[str, str]) -> float | None:
    """Millions of instructions one run executes (valgrind's callgrind), or None
    without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    err = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          *cmd], env=env, capture_output=True, text=True, check=True).stderr
    found = re.search(r"Collected : (\d+)", err)
    return int(found.group(1)) / 1e6 if found else None


def report(command: str, tree: str, samples: list[tuple[float, float]],
           heavy: list[str], instructions_m: float | None = None) -> None:
    walls = [w for w, _ in samples]
    cpus = [c for _, c in samples]
    print(json.dumps({
        "figure": "cli_startup_ms", "command": command, "tree": tree,
        "median_ms": round(statistics.median(walls), 1), "min_ms": round(min(walls), 1),
        "max_ms": round(max(walls), 1), "cpu_median_ms": round(statistics.median(cpus), 1),
        "cpu_min_ms": round(min(cpus), 1), "repeat": len(samples), "loaded": heavy,
        "load_avg": round(os.getloadavg()[0], 2),
        **({"instructions_m": round(instructions_m, 1)} if instructions_m else {}),
    }), flush=True)


@contextlib.contextmanager
def server_with_runs(uri: str | None, runs: int) -> Iterator[str]:
    """`uri`, or a server of our own on a scratch store with `runs` runs (tags and
    attributes of each type) and a series."""
    if uri:
        yield uri
        return
    with tempfile.TemporaryDirectory() as scratch, ServerProcess(scratch) as server, \
            Client(server.uri) as c:
        for name, type_ in (("lr", "float"), ("layers", "int"), ("opt", "string"),
                            ("loss", "float")):
            c.create_field(name, type_)
        c.create_series("train", ["layers", "loss"])
        for i in range(runs):
            c.create_run(tags=["sweep", f"seed{i % 3}"],
                         attributes={"lr": 10.0 ** -(i % 4 + 1), "layers": i % 8,
                                     "opt": "adam" if i % 2 else "sgd"})
        yield server.uri


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--uri", help="a running server to list from (default: start one)")
    ap.add_argument("--runs", type=int, default=20, help="runs in the server we start")
    ap.add_argument("--baseline", metavar="DIR",
                    help="another checkout's src/, timed interleaved with this one")
    ap.add_argument("--instructions", action="store_true",
                    help="also count each command's instructions under valgrind")
    args = ap.parse_args()
    trees = {"src": SRC, **({"baseline": args.baseline} if args.baseline else {})}
    for src in trees.values():  # see the docstring: time imports, not compiling
        compileall.compile_dir(src, quiet=1)
    with server_with_runs(args.uri, args.runs) as uri:
        commands = {"python -c pass": None, "--help": ["--help"],
                    "runs --help": ["runs", "--help"], "runs": ["runs", "--uri", uri],
                    "runs --json": ["runs", "--json", "--uri", uri],
                    "fields": ["fields", "--uri", uri], "series": ["series", "--uri", uri],
                    "plots": ["plots", "--uri", uri]}
        for command, argv in commands.items():
            samples: dict[str, list[tuple[float, float]]] = {t: [] for t in trees}
            cmd = [sys.executable, *(["-m", "streamvis", *argv] if argv else ["-c", "pass"])]
            for _ in range(args.repeat):
                for tree, src in trees.items():  # interleaved: both see the same load
                    samples[tree].append(once(cmd, _env(src)))
            for tree, src in trees.items():
                counted = instructions(cmd, _env(src)) if args.instructions else None
                report(command, tree, samples[tree], loaded(argv, src) if argv else [],
                       counted)


if __name__ == "__main__":
    main()
