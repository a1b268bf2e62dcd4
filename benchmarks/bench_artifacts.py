"""Artifacts of 1 GB: upload and download time, and the peak memory (RSS) of the client
and the server, on SQLite and PostgreSQL. Prints one JSON line per figure:

    {"figure": "artifact_upload", "store": "sqlite", "bytes": 1073741824, "seconds": ...,
     "mb_per_s": ..., "client_peak_rss_mb": ..., "server_peak_rss_mb": ...}

`figure` is `artifact_upload` (streamvis.transfer.upload_artifact: hash, BeginUpload,
PutBlobPart per part, SaveArtifact, which checks the hash again) or `artifact_download`
(download_blob, checked). The client runs in a child process of its own, so its peak
RSS is its own; the server's is its VmHWM. Memory stays bounded when both stay near
their size with no artifact, far below the artifact's size.

    .venv/bin/python benchmarks/bench_artifacts.py [--mb 1024] [--stores sqlite,postgres]

PostgreSQL needs STREAMVIS_TEST_PG_DSN (an admin DSN; a scratch database is made).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from streamvis.testing import ServerProcess, scratch_store

_CHILD = r"""
import json, resource, sys, time
from streamvis.client import Client
from streamvis.transfer import download_blob, upload_artifact
uri, what, path = sys.argv[1], sys.argv[2], sys.argv[3]
with Client(uri, timeout=600) as client:
    start = time.perf_counter()
    if what == "upload":
        run = client.create_run().handle
        with open(path, "rb") as f:
            saved = upload_artifact(client, run, "big", f)
        key = saved.sha256
    else:
        key = sys.argv[4]
        with open(path, "wb") as out:
            download_blob(client, key, out)
    seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kb": peak_kb, "sha256": key}))
"""


def _server_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(uri: str, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", _CHILD, uri, *args], check=True,
                         capture_output=True, text=True, env=os.environ)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _write_source(path: Path, size: int) -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as f:
        written = 0
        while written < size:
            piece = block[: min(len(block), size - written)]
            f.write(written.to_bytes(8, "little") + piece[8:])  # no two parts alike
            written += len(piece)


def bench(kind: str, size: int, directory: Path) -> None:
    source, target = directory / "source.bin", directory / "target.bin"
    _write_source(source, size)
    with scratch_store(kind, "bench_artifacts", sqlite_dir=directory / "data") as location, \
            ServerProcess(location, startup_timeout=120) as server:
        idle = _server_peak_mb(server.pid)
        up = _child(server.uri, "upload", str(source))
        after_up = _server_peak_mb(server.pid)
        down = _child(server.uri, "download", str(target), str(up["sha256"]))
        after_down = _server_peak_mb(server.pid)
    same = source.read_bytes() == target.read_bytes() if size <= 64 << 20 else (
        subprocess.run(["cmp", "-s", str(source), str(target)], check=False).returncode == 0
    )
    for figure, result, server_peak in (("artifact_upload", up, after_up),
                                        ("artifact_download", down, after_down)):
        seconds = float(str(result["seconds"]))
        print(json.dumps({
            "figure": figure, "store": kind, "bytes": size, "seconds": round(seconds, 2),
            "mb_per_s": round(size / 2**20 / seconds, 1),
            "client_peak_rss_mb": round(int(str(result["peak_kb"])) / 1024, 1),
            "server_peak_rss_mb": round(server_peak, 1),
            "server_rss_before_mb": round(idle, 1), "identical": same,
        }), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="artifact size in MiB")
    parser.add_argument("--stores", default="sqlite,postgres")
    args = parser.parse_args()
    for kind in args.stores.split(","):
        if kind == "postgres" and not os.environ.get("STREAMVIS_TEST_PG_DSN"):
            print(json.dumps({"figure": "skipped", "store": kind,
                              "why": "STREAMVIS_TEST_PG_DSN is not set"}))
            continue
        with tempfile.TemporaryDirectory(prefix="bench-artifacts-") as tmp:
            start = time.perf_counter()
            bench(kind, args.mb * 2**20, Path(tmp))
            print(f"# {kind}: {time.perf_counter() - start:.0f} s in all", file=sys.stderr)


if __name__ == "__main__":
    main()
