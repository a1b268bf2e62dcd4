"""The reliability figures: bad inputs tried, crashes survived, load held, rows lost.

Runs, on SQLite and PostgreSQL:

- the fuzz tests (tests/service/test_fuzz.py, tests/web/test_fuzz.py) with
  `--fuzz-examples` generated requests per test and store;
- the crash test (tests/service/test_crash.py: logger processes while the server is
  killed with SIGKILL `--kills` times and restarted);
- the fault tests (FAULT_TESTS: a full disk under the server and under the spool, a server
  refusing with each passing status, requests over its size limit, wrong tokens from the
  logger's address, a job killed and resumed), each a figure of rows written and
  delivered;
- the load benchmark (benchmarks/bench_load.py) at `--loggers` x `--seconds`, with
  `--watchers` live WebSocket clients (on `--load-store`);

and prints one JSON line per part plus a summary:

    {"figure": "reliability", "bad_inputs_tried": ..., "crashes_survived": ...,
     "load_held": "50 loggers x 60 s, 5 live watchers", "rows_lost": 0, ...}

    .venv/bin/python benchmarks/bench_reliability.py [--fuzz-examples 500] [--kills 5]
        [--loggers 50] [--seconds 60] [--watchers 5] [--faults-only]

Exits with status 1 if any part failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: The tests that inject a fault and print a `fault` figure (tests/faults.py).
FAULT_TESTS = [
    "tests/logger/test_server_disk_full.py",
    "tests/logger/test_spool_disk_full.py",
    "tests/logger/test_refusals.py",
    "tests/logger/test_resume.py",
    "tests/service/test_auth.py::test_wrong_tokens_from_the_same_address_never_cost_a_logger_a_row",
]
_FIGURE = re.compile(r'(\{"figure".*\})\s*$')


def figures(text: str) -> list[dict[str, Any]]:
    """The JSON figure lines in pytest -s output (a line may follow pytest's dots)."""
    return [json.loads(m[1]) for line in text.splitlines() if (m := _FIGURE.search(line))]


def pytest(paths: list[str], env: dict[str, str], *extra: str) -> tuple[bool, str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-o",
         "addopts=", *extra, *paths],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False,
    )
    if result.returncode:
        print(result.stdout[-5000:], result.stderr[-3000:], file=sys.stderr)
    return result.returncode == 0, result.stdout


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fuzz-examples", type=int, default=500)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--loggers", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--watchers", type=int, default=5)
    p.add_argument("--load-store", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--faults-only", action="store_true",
                   help="run only the fault tests (minutes, not the load's hour)")
    args = p.parse_args()
    ok = True

    passed, out = pytest(FAULT_TESTS, {})
    ok &= passed
    faults = [f for f in figures(out) if f["figure"] == "fault"]
    for f in faults:
        print(json.dumps(f), flush=True)
    fault_summary = {
        "faults_survived": sum(1 for f in faults if f["rows_lost"] == 0),
        "fault_rows_written": sum(f["rows_written"] for f in faults),
        "fault_rows_lost": sum(f["rows_lost"] for f in faults),
    }
    if args.faults_only:
        print(json.dumps({"figure": "reliability_faults", **fault_summary,
                          "all_passed": ok}), flush=True)
        sys.exit(0 if ok and not fault_summary["fault_rows_lost"] else 1)

    passed, out = pytest(["tests/service/test_fuzz.py", "tests/web/test_fuzz.py"],
                         {"STREAMVIS_FUZZ_EXAMPLES": str(args.fuzz_examples)})
    ok &= passed
    fuzz = figures(out)
    for f in fuzz:
        print(json.dumps(f), flush=True)

    passed, out = pytest(["tests/service/test_crash.py"],
                         {"STREAMVIS_CRASH_KILLS": str(args.kills)}, "-k", "repeatedly")
    ok &= passed
    crashes = figures(out)
    for f in crashes:
        print(json.dumps(f), flush=True)

    load = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_load.py"), "--loggers",
         str(args.loggers), "--seconds", str(args.seconds), "--watchers", str(args.watchers),
         "--store", args.load_store],
        capture_output=True, text=True, check=False,
    )
    ok &= load.returncode == 0
    load_figures = figures(load.stdout)
    for f in load_figures:
        print(json.dumps(f), flush=True)
    rows = next((f for f in load_figures if f["figure"] == "load_rows"), None)
    if rows is None:
        print(load.stderr[-3000:], file=sys.stderr)
        ok = False

    lost = (sum(f["rows_lost"] for f in crashes) + (rows["rows_lost"] if rows else 0)
            + fault_summary["fault_rows_lost"])
    print(json.dumps({
        "figure": "reliability",
        "bad_inputs_tried": sum(f["tried"] for f in fuzz),
        "bad_inputs_refused": sum(f["refused"] for f in fuzz),
        "crashes_survived": sum(f["kills"] for f in crashes) if crashes else 0,
        "crash_rows_written": sum(f["rows_written"] for f in crashes),
        "load_held": f"{args.loggers} loggers x {args.seconds:g} s, {args.watchers} live "
                     f"watchers ({args.load_store})" if rows else "failed",
        "load_rows_written": rows["rows_written"] if rows else 0,
        **fault_summary,
        "rows_lost": lost,
        "all_passed": ok,
    }), flush=True)
    if not ok or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
