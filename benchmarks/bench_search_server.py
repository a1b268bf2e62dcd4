"""Run search at scale through a real server: 100,000 runs made with CreateRuns, then
listed and searched over HTTP, gRPC and the command line, on each store.

Prints one JSON line per figure:

    {"figure": "create_runs_per_s", "store": "sqlite", "runs": 100000, "batch": 5000, ...}
    {"figure": "search_ms", "store": "sqlite", "via": "http", "filter": "tag",
     "what": "first_100", "matched": 1990, "median_ms": ..., "p90_ms": ...}
    {"figure": "server_peak_rss_mb", "store": "sqlite", "while": "http_all_runs", ...}
    {"figure": "cli_runs_ms", "store": "sqlite", "argv": "runs --json", ...}

Runs are as benchmarks/bench_search.py makes them (3 of 50 tags, 4 attributes).
`what`: `first_100` (a page: `limit=100`, with the total count), `all` (every match).
`server_cpu_ms` is the server's CPU time per call (on a shared machine the wall time
also counts waiting for a core). The server's peak resident memory is reset
(/proc/PID/clear_refs) before each listing and read after (VmHWM), so it is what that
listing needed.

    .venv/bin/python benchmarks/bench_search_server.py [--runs 100000] [--store sqlite]
        [--create-only]

`load` is the 1-minute load average when the runs were made; `db_cpu_s` the CPU of
the PostgreSQL backends of the benchmark's database meanwhile (0 on SQLite). On
PostgreSQL the runs are searched after `ANALYZE`, as autovacuum would have run it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx

from streamvis.client import Client
from streamvis.model.limits import MAX_RUNS_PER_CREATE
from streamvis.model.schema import AttributeCondition, NewRun, RunFilter
from streamvis.testing import ServerProcess, scratch_store_or_none

TAGS = [f"tag{i:02d}" for i in range(50)]
OPTIMIZERS = ["adam", "adamw", "sgd", "lion", "rmsprop"]
LRS = [10.0**-e for e in range(1, 6)] + [3 * 10.0**-e for e in range(1, 6)]
REPEAT = 7


def new_runs(count: int) -> list[NewRun]:
    rng = random.Random(1)
    return [
        NewRun(uuid.uuid4(), rng.sample(TAGS, 3), {
            "seed": rng.randrange(100), "lr": rng.choice(LRS),
            "optimizer": rng.choice(OPTIMIZERS), "good": rng.random() < 0.3,
        }, 1.7e9 + i * 60.0)
        for i in range(count)
    ]


def filters() -> dict[str, tuple[RunFilter, dict[str, object] | None]]:
    """Each filter, for gRPC and as /api/runs's JSON."""
    return {
        "none": (RunFilter(), None),
        "tag": (RunFilter(tags_all=("tag07",)), {"tags_all": ["tag07"]}),
        "combined": (
            RunFilter(tags_any=("tag01", "tag02"),
                      attributes=(AttributeCondition("optimizer", equals="adam"),)),
            {"tags_any": ["tag01", "tag02"],
             "attributes": [{"field": "optimizer", "equals": "adam"}]},
        ),
    }


def timed(call: Callable[[], object], repeat: int = REPEAT) -> tuple[float, float]:
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))]


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used: on a shared machine, what a
    step cost, where its wall time also counts waiting for a core."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def db_cpu_s(where: str) -> float:
    """CPU seconds of the PostgreSQL backends serving the database at `where` (their
    process titles name it), 0 for SQLite: the database's own share of the work, on
    a server other benchmarks may share."""
    if "://" not in where:
        return 0.0
    name = f" {where.rsplit('/', 1)[-1].split('?', maxsplit=1)[0]} "
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and name in (proc / "cmdline").read_text():
                total += cpu_s(int(proc.name))
        except OSError:
            continue  # gone meanwhile
    return total


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM back to the current RSS


def emit(**figure: object) -> None:
    print(json.dumps(figure), flush=True)


def _analyze(dsn: str) -> None:
    """Gather the planner's statistics, as autovacuum would have after the import (a
    test machine's PostgreSQL may run with autovacuum off: decision 0061)."""
    import psycopg  # noqa: PLC0415 -- only for PostgreSQL

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE")


def bench(kind: str, runs: int, *, create_only: bool = False) -> None:
    with scratch_store_or_none(kind, "bench_search_server") as where:
        if where is None:
            return
        with ServerProcess(where) as server, Client(server.uri, timeout=600) as client, \
                httpx.Client(base_url=server.web_url, timeout=600) as http:
            for name, ftype in (("seed", "int"), ("lr", "float"), ("optimizer", "string"),
                                ("good", "bool")):
                client.create_field(name, ftype)
            made = new_runs(runs)
            start, server_cpu, own_cpu = time.perf_counter(), cpu_s(server.pid), time.process_time()
            db_cpu = db_cpu_s(where)
            client.create_runs(made)
            seconds = time.perf_counter() - start
            server_cpu = cpu_s(server.pid) - server_cpu
            own_cpu = time.process_time() - own_cpu
            db_cpu = db_cpu_s(where) - db_cpu
            emit(figure="create_runs_per_s", store=kind, runs=runs, batch=MAX_RUNS_PER_CREATE,
                 seconds=round(seconds, 2), runs_per_s=round(runs / seconds),
                 server_cpu_s=round(server_cpu, 2), client_cpu_s=round(own_cpu, 2),
                 db_cpu_s=round(db_cpu, 2),
                 runs_per_cpu_s=round(runs / (server_cpu + own_cpu)),
                 load=round(os.getloadavg()[0], 1))
            if create_only:
                return
            if kind == "postgres":
                _analyze(where)
            for name, (run_filter, as_json) in filters().items():
                params = {} if as_json is None else {"filter": json.dumps(as_json)}
                first = http.get("/api/runs", params={**params, "limit": "100"})
                matched = int(first.headers["x-total-count"])
                calls: dict[tuple[str, str], Callable[[], object]] = {
                    ("http", "first_100"): partial(http.get, "/api/runs",
                                                   params={**params, "limit": "100"}),
                    ("http", "all"): partial(http.get, "/api/runs", params=params),
                    ("grpc", "first_100"): partial(client.runs_page, run_filter, limit=100),
                    ("grpc", "all"): partial(client.runs, run_filter),
                }
                for (via, what), call in calls.items():
                    if what == "all":
                        reset_peak(server.pid)
                    repeat = 3 if name == "none" and what == "all" else REPEAT
                    before = cpu_s(server.pid)
                    median, p90 = timed(call, repeat)
                    server_ms = (cpu_s(server.pid) - before) / (repeat + 1) * 1000
                    emit(figure="search_ms", store=kind, via=via, filter=name, what=what,
                         runs=runs, matched=matched, median_ms=round(median, 1),
                         p90_ms=round(p90, 1), server_cpu_ms=round(server_ms, 1))
                    if what == "all":
                        emit(figure="server_peak_rss_mb", store=kind, runs=runs,
                             listing=f"{via}_{name}_all", peak_mb=round(peak_mb(server.pid)))
            for argv in (["runs", "--json"], ["runs", "--tag-all", "tag07", "--limit", "100"]):
                def cli(a: list[str] = argv) -> None:
                    subprocess.run([sys.executable, "-m", "streamvis", *a, "--uri", server.uri],
                                   check=True, stdout=subprocess.DEVNULL)
                median, p90 = timed(cli, 3)
                emit(figure="cli_runs_ms", store=kind, runs=runs, argv=" ".join(argv),
                     median_ms=round(median, 1), p90_ms=round(p90, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--store", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--create-only", action="store_true",
                        help="time creating the runs only (CreateRuns), no searches")
    args = parser.parse_args()
    for kind in args.store or ["sqlite", "postgres"]:
        bench(kind, args.runs, create_only=args.create_only)


if __name__ == "__main__":
    main()
