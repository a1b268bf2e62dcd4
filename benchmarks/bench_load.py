"""Load: many logger processes writing while WebSocket clients watch live; nothing may be lost.

Starts `streamvis serve` on a fresh store, then:

1. idle: one logger process (benchmarks/load_worker.py) alone for `--idle-seconds`,
   to time `write` with the server otherwise idle;
2. load: `--loggers` logger processes at once for `--seconds`, each writing a scalar
   row every `--scalar-every` s and a `--points`-point array every `--array-every` s,
   while `--watchers` WebSocket clients follow /api/events and a probe appends one
   row every 0.2 s to time append -> event.

Then every logger has stopped (all acknowledged) and the store's chunk log is
counted per run and series. Prints one JSON line per figure:

    {"figure": "load_rows", "rows_written": ..., "rows_stored": ..., "rows_lost": 0, ...}
    {"figure": "load_write_us", "phase": "idle"|"load", "kind": "scalar"|"array",
     "p50": ..., "p99": ...}
    {"figure": "load_server_rss_mb", "idle": ..., "peak": ...}
    {"figure": "load_live_latency_ms", "p50": ..., "p95": ..., "events": ...}

    .venv/bin/python benchmarks/bench_load.py [--loggers 50] [--seconds 60] [--watchers 5]
        [--store sqlite|postgres]

Exits with status 1 if a row was lost, a logger did not stop cleanly, or a watcher
missed a probe event.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.testing import ServerProcess, scratch_store

WORKER = Path(__file__).with_name("load_worker.py")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(threading.Thread):
    """The server's resident memory, sampled every 0.25 s: its peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            with contextlib.suppress(OSError):
                self.peak = max(self.peak, rss_mb(self.pid))


@dataclass
class Watcher:
    """One live WebSocket client: when each rows_appended sequence arrived."""

    url: str
    arrived: dict[int, float] = field(default_factory=dict)
    messages: int = 0
    reconnects: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        after: int | None = None
        while not self.stop.is_set():
            query = f"?after_sequence={after}" if after is not None else ""
            try:
                with connect(self.url + query, open_timeout=30, max_size=None) as ws:
                    while not self.stop.is_set():
                        try:
                            text = ws.recv(timeout=0.5)
                        except TimeoutError:
                            continue
                        message = json.loads(text)
                        self.messages += 1
                        if message["type"] == "rows_appended":
                            self.arrived.setdefault(message["sequence"], time.perf_counter())
                            after = message["sequence"]
                        elif message["type"] == "reconnect":
                            after = message["after_sequence"]
            except (ConnectionClosed, OSError):
                self.reconnects += 1  # as the browser does: reconnect where it left off
                time.sleep(0.2)


def start_workers(uri: str, scratch: Path, go: Path, n: int, args: argparse.Namespace, *,
                  tag: str) -> list[tuple[subprocess.Popen[str], Path]]:
    procs = []
    for i in range(n):
        samples = scratch / f"{tag}-{i}.npz"
        cmd = [sys.executable, str(WORKER), uri, str(scratch / "spool"), str(go),
               str(args.seconds if tag == "load" else args.idle_seconds),
               str(args.scalar_every), str(args.array_every), str(args.points), str(samples)]
        procs.append((subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True), samples))
    for proc, _ in procs:  # each says "ready" once imported and started
        line = proc.stdout.readline() if proc.stdout else ""
        if '"ready"' not in line:
            raise RuntimeError(f"a logger process did not start: {line!r}")
    return procs


def finish_workers(procs: list[tuple[subprocess.Popen[str], Path]], timeout: float
                   ) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    reports, scalar, array = [], [], []
    for proc, samples in procs:
        out, _ = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"a logger process failed with status {proc.returncode}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
        with np.load(samples) as data:
            scalar.append(data["scalar"])
            array.append(data["array"])
    return reports, np.concatenate(scalar), np.concatenate(array)


def stored_rows(web_url: str) -> dict[tuple[str, str], int]:
    """Rows per (run, series), from the chunk log replayed over the live WebSocket."""
    rows: dict[tuple[str, str], int] = {}
    url = web_url.replace("http://", "ws://") + "api/events?after_sequence=0"
    with connect(url, open_timeout=30, max_size=None) as ws:
        while True:
            try:
                message = json.loads(ws.recv(timeout=3))
            except TimeoutError:
                return rows
            if message["type"] == "rows_appended":
                key = (message["run"], message["series"])
                rows[key] = rows.get(key, 0) + message["rows"]


def us(samples: np.ndarray, q: float) -> float:
    return round(float(np.percentile(samples, q)) / 1000, 2) if samples.size else 0.0


def ms(samples: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(samples), q)), 2) if samples else 0.0


def run_load(args: argparse.Namespace) -> dict[str, Any]:
    """Run the scenario; the figures, keyed by name."""
    with tempfile.TemporaryDirectory(prefix="streamvis-load-") as tmp:
        scratch = Path(tmp)
        with (scratch_store(args.store, "bench_load", sqlite_dir=scratch / "data") as location,
              ServerProcess(location) as server, Client(server.uri) as client):
            for name, kind in (("step", "int"), ("loss", "float"), ("x", "float"),
                               ("y", "float")):
                client.create_field(name, kind)
            client.create_series("load_scalars", ["step", "loss"])
            client.create_series("load_arrays", ["step", "x", "y"])
            client.create_series("load_probe", ["step"])
            rss = RssSampler(server.pid)
            rss.start()

            go = scratch / "go-idle"
            idle = start_workers(server.uri, scratch, go, 1, args, tag="idle")
            go.touch()
            _, idle_scalar, idle_array = finish_workers(idle, args.idle_seconds + 300)
            idle_rss = rss_mb(server.pid)

            ws_url = server.web_url.replace("http://", "ws://") + "api/events"
            watchers = [Watcher(ws_url) for _ in range(args.watchers)]
            threads = [threading.Thread(target=w.run, daemon=True) for w in watchers]
            for t in threads:
                t.start()
            go = scratch / "go-load"
            load = start_workers(server.uri, scratch, go, args.loggers, args, tag="load")
            probe_run = client.create_run(tags=["probe"]).handle
            time.sleep(1.0)  # the watchers are connected
            rss.peak = 0.0
            go.touch()
            sent: dict[int, float] = {}
            deadline = time.monotonic() + args.seconds
            i = 0
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                result = client.append(probe_run, "load_probe", {"step": np.array([i])})
                sent[result.sequence] = t0
                i += 1
                time.sleep(0.2)
            reports, scalar, array = finish_workers(load, 600)
            time.sleep(1.0)  # the last events reach the watchers
            for w in watchers:
                w.stop.set()
            for t in threads:
                t.join(10)
            rss.done.set()
            peak = rss.peak

            stored = stored_rows(server.web_url)
    written = sum(sum(r["rows"].values()) for r in reports)
    got = sum(stored.get((r["run"], s), 0) for r in reports for s in r["rows"])
    lost = sum(max(0, n - stored.get((r["run"], s), 0))
               for r in reports for s, n in r["rows"].items())
    latencies = [(w.arrived[seq] - t0) * 1000 for w in watchers for seq, t0 in sent.items()
                 if seq in w.arrived]
    missed = sum(1 for w in watchers for seq in sent if seq not in w.arrived)
    size = {"loggers": args.loggers, "seconds": args.seconds, "watchers": args.watchers,
            "store": args.store}
    return {
        "load_rows": {**size, "rows_written": written, "rows_stored": got, "rows_lost": lost,
                      "rows_extra": got - written + lost,
                      "loggers_stopped_clean": sum(1 for r in reports if r["stopped"]),
                      "stop_s_max": max(r["stop_s"] for r in reports)},
        "load_write_us": [
            {**size, "phase": phase, "kind": kind, "p50": us(s, 50), "p99": us(s, 99),
             "writes": int(s.size)}
            for phase, kind, s in (("idle", "scalar", idle_scalar), ("idle", "array", idle_array),
                                   ("load", "scalar", scalar), ("load", "array", array))
        ],
        "load_server_rss_mb": {**size, "idle": round(idle_rss, 1), "peak": round(peak, 1)},
        "load_live_latency_ms": {**size, "p50": ms(latencies, 50), "p95": ms(latencies, 95),
                                 "max": ms(latencies, 100), "events": len(latencies),
                                 "missed": missed,
                                 "reconnects": sum(w.reconnects for w in watchers),
                                 "messages_per_watcher": min(w.messages for w in watchers)},
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--loggers", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--watchers", type=int, default=5)
    p.add_argument("--idle-seconds", type=float, default=10.0)
    p.add_argument("--scalar-every", type=float, default=0.02, help="seconds between scalars")
    p.add_argument("--array-every", type=float, default=1.0, help="seconds between arrays")
    p.add_argument("--points", type=int, default=10_000, help="points per array")
    p.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    return p


def main() -> None:
    args = parser().parse_args()
    figures = run_load(args)
    for name, value in figures.items():
        for line in value if isinstance(value, list) else [value]:
            print(json.dumps({"figure": name, **line}), flush=True)
    rows, live = figures["load_rows"], figures["load_live_latency_ms"]
    if rows["rows_lost"] or rows["loggers_stopped_clean"] != args.loggers or live["missed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
