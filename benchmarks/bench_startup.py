"""Command line start-up: the wall time of `streamvis` commands that need no server
data library, each in a fresh interpreter, as a shell runs them.

Prints one JSON line per figure:

    {"figure": "cli_startup_ms", "command": "--help", "median_ms": ..., "min_ms": ...,
     "repeat": 15, "loaded": []}

`loaded` lists the heavy modules (numpy, pyarrow, grpc, the logger) the command loaded:
none for these (tests/cli/test_startup.py guards it; the goal is about 150 ms on the
2-core development machine). `python -c pass` is timed as the floor: what the
interpreter alone costs. With `--uri`, also `streamvis runs --limit 1` against that
server, which loads the client (gRPC, numpy, pyarrow).

    .venv/bin/python benchmarks/bench_startup.py [--repeat 15] [--uri HOST:PORT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

HEAVY = ("numpy", "pyarrow", "grpc", "streamvis.logger")
PROBE = (
    "import sys, contextlib, io\n"
    "from streamvis.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    main({argv!r})\n"
    "print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)\n"
)


def timed(argv: list[str], repeat: int) -> tuple[list[float], str]:
    """Wall times (ms) of `python -m streamvis ARGV`, and what one run loaded."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "streamvis", *argv], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t0) * 1000)
    probe = PROBE.format(argv=argv, heavy=HEAVY)
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=False).stderr.strip().splitlines()[-1]
    return times, loaded


def floor(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def report(command: str, times: list[float], loaded: object) -> None:
    print(json.dumps({
        "figure": "cli_startup_ms", "command": command,
        "median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
        "repeat": len(times), "loaded": loaded,
    }), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--uri", help="a running server, to time `streamvis runs --limit 1` too")
    args = ap.parse_args()
    report("python -c pass", floor(args.repeat), [])
    commands = [["--help"], ["--version"], ["runs", "--help"]]
    if args.uri:
        commands.append(["runs", "--limit", "1", "--uri", args.uri])
    for argv in commands:
        times, loaded = timed(argv, args.repeat)
        report(" ".join(a for a in argv if a != args.uri), times, json.loads(
            loaded.replace("'", '"')))


if __name__ == "__main__":
    main()
