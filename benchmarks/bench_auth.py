"""What the token check costs: unary gRPC calls and HTTP requests per second, on a
server without a token, with one, and with one plus TLS. Prints one JSON line per figure:

    {"figure": "grpc_calls_per_s", "mode": "token", "calls": 2000, "seconds": ...,
     "calls_per_s": ..., "us_per_call": ...}

`mode` is `open`, `token` or `token+tls`; figures `grpc_calls_per_s` (ListFields, one
client, sequential) and `http_requests_per_s` (GET /api/info, one keep-alive client).

    .venv/bin/python benchmarks/bench_auth.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
import tempfile
import time
from pathlib import Path

import httpx

from streamvis.client import Client
from streamvis.testing import ServerProcess

TOKEN = "bench-token-0123456789abcdef"  # noqa: S105 - a benchmark token


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.test_tls import make_certificates  # noqa: PLC0415 - the tests' CA maker

    return make_certificates(directory)


def _figure(name: str, mode: str, n: int, seconds: float) -> None:
    print(json.dumps({"figure": name, "mode": mode, "calls": n, "seconds": round(seconds, 4),
                      "calls_per_s": round(n / seconds), "us_per_call":
                      round(seconds / n * 1e6, 1)}), flush=True)


def measure(mode: str, calls: int, scratch: Path) -> None:
    args: list[str] = []
    ca: Path | None = None
    token = None
    if mode != "open":
        token = TOKEN
        args += ["--token", TOKEN]
    if mode == "token+tls":
        ca, cert, key = _certificates(scratch)
        args += ["--tls-cert", str(cert), "--tls-key", str(key)]
    with ServerProcess(str(scratch / mode), extra_args=args,
                       tls_ca=str(ca) if ca else None) as server:
        with Client(server.uri, token=token, tls_ca=ca) as client:
            for _ in range(50):
                client.fields()
            start = time.perf_counter()
            for _ in range(calls):
                client.fields()
            _figure("grpc_calls_per_s", mode, calls, time.perf_counter() - start)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(ca)) if ca else True)
        with httpx.Client(base_url=server.web_url, headers=headers, verify=verify) as http:
            for _ in range(50):
                http.get("api/info").raise_for_status()
            start = time.perf_counter()
            for _ in range(calls):
                http.get("api/info")
            _figure("http_requests_per_s", mode, calls, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("open", "token", "token+tls"):
            measure(mode, args.calls, Path(tmp))


if __name__ == "__main__":
    main()
