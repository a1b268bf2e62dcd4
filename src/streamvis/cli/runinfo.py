"""`streamvis run HANDLE`: what a run captured — command, config, git, environment,
its series, the long texts (diff, packages), progress and the end of its console."""

from __future__ import annotations

import argparse
import json
from typing import Any

from streamvis.model import capture as cap


def cmd_run(args: argparse.Namespace) -> str:
    # Here, not at the top: the command line's parser imports this module, and must not
    # load the data API (numpy, pyarrow, gRPC) to print its help (tests/cli/test_startup.py).
    from streamvis.query import Connection  # noqa: PLC0415

    with Connection(args.uri, token=args.token, tls=args.tls or None,
                    tls_ca=args.tls_ca) as sv:
        handle = sv.client.resolve_run(args.run)
        info = sv.run_info(handle)
        bars = sv.progress(handle).to_pylist()
        lines = sv.console(handle).to_pylist()[-args.console:] if args.console else []
    if args.json:
        doc: dict[str, Any] = {
            "handle": str(info.run.handle), "started_at": info.run.started_at,
            "tags": list(info.run.tags), "attributes": info.groups, "texts": info.texts,
            "series": info.series, "progress": bars,
            "console": [{"stream": r[cap.CONSOLE_STREAM], "text": r[cap.CONSOLE_TEXT]}
                        for r in lines],
        }
        return json.dumps(doc, default=str)
    out = [info.format()]
    if bars:
        out.append("progress:")
        for bar in bars:
            total = bar[cap.PROGRESS_TOTAL]
            done = bar[cap.PROGRESS_DONE]
            eta = "" if bar["eta"] is None else f", eta {bar['eta']:.0f}s"
            of = f"/{total}" if total >= 0 else ""
            out.append(f"  {bar[cap.PROGRESS_DESC] or '(no desc)'}: {done}{of} "
                       f"({bar[cap.PROGRESS_RATE]:.2f}/s{eta})")
    if lines:
        out.append(f"console (last {len(lines)} lines):")
        out += [f"  {r[cap.CONSOLE_TEXT]}" for r in lines]
    return "\n".join(out)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", metavar="HANDLE",
                   help="the run's handle, or a unique prefix of it (4 or more hex digits)")
    p.add_argument("--console", type=int, default=20, metavar="N",
                   help="show the last N console lines (default 20; 0: none)")
