"""Live latency: from a logger-side append (gRPC) to the browser's view of it.

Starts `python -m streamvis serve --grpc-port 0 --http-port 0` on a fresh store,
opens the live WebSocket as the browser does, and times, for each append made with
`streamvis.client.Client.append`:

- `event_ms`: until its `rows_appended` message arrives on the WebSocket;
- `fetch_ms`: until its rows, asked for with `after_sequence`, are decoded from
  POST /api/data (what a live plot does on that event).

Prints one JSON line per figure:

    {"figure": "live_event_ms", "store": "sqlite", "appends": 200, "rows": 100,
     "p50": ..., "p95": ..., "max": ...}
    {"figure": "live_fetch_ms", ...}

    .venv/bin/python benchmarks/bench_live.py [--appends 200] [--store sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import time

import httpx
import numpy as np
import pyarrow as pa
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.testing import ServerProcess, scratch_store_or_none


def percentiles(samples: list[float]) -> dict[str, float]:
    a = np.array(samples)
    return {"p50": round(float(np.percentile(a, 50)), 2),
            "p95": round(float(np.percentile(a, 95)), 2), "max": round(float(a.max()), 2)}


def measure(location: str, appends: int, rows: int) -> tuple[list[float], list[float]]:
    events: list[float] = []
    fetches: list[float] = []
    with (
        ServerProcess(location) as server,
        Client(server.uri) as client,
    ):
        url = server.web_url
        client.create_field("step", "int")
        client.create_field("loss", "float")
        client.create_series("train", ["step", "loss"])
        run = client.create_run()
        body = {"series": "train", "kind": "line", "x": "step", "y": "loss", "pixels": 2000,
                "filter": {"handles": [str(run.handle)]}}
        ws_url = url.replace("http://", "ws://") + "api/events"
        with httpx.Client(base_url=url, timeout=30) as http, connect(ws_url) as ws:
            last = 0
            for i in range(appends + 5):  # the first five warm up both paths
                steps = np.arange(i * rows, (i + 1) * rows, dtype=np.int64)
                start = time.perf_counter()
                client.append(run.handle, "train", {"step": steps, "loss": steps * 0.5})
                while True:
                    message = json.loads(ws.recv(timeout=30))
                    if message["type"] == "rows_appended":
                        break
                arrived = time.perf_counter()
                reply = http.post("/api/data", json={**body, "after_sequence": last})
                reply.raise_for_status()
                table = pa.ipc.open_stream(reply.content).read_all()
                done = time.perf_counter()
                if table.num_rows != rows:
                    raise RuntimeError(f"fetched {table.num_rows} rows, appended {rows}")
                last = int(table.schema.metadata[b"last_sequence"])
                if i >= 5:
                    events.append((arrived - start) * 1000)
                    fetches.append((done - start) * 1000)
    return events, fetches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--store", choices=["sqlite", "postgres"], action="append")
    args = parser.parse_args()
    for kind in args.store or ["sqlite", "postgres"]:
        with scratch_store_or_none(kind, "bench_live") as location:
            if location is None:
                continue
            events, fetches = measure(location, args.appends, args.rows)
            for figure, samples in (("live_event_ms", events), ("live_fetch_ms", fetches)):
                print(json.dumps({"figure": figure, "store": kind, "appends": args.appends,
                                  "rows": args.rows, **percentiles(samples)}), flush=True)


if __name__ == "__main__":
    main()
