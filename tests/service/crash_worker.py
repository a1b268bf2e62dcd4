"""A logger process for the crash tests: writes numbered rows and says which are acknowledged.

    python tests/service/crash_worker.py URI SPOOL_DIR CONTROL_DIR MODE

Writes rows `crash_row` = 0, 1, 2, ... (with `crash_value` = the same as a float) to
series `crash` through a `DataLogger` that flushes every 50 ms, and calls `flush()` now
and then: when it returns True every row so far is acknowledged by the server, and
the worker prints `{"acked": N}` (rows 0..N-1). It writes until the test makes the file
`stop` in CONTROL_DIR (so the kills fall while it writes however slow the machine is;
`MAX_SECONDS` only ends a worker the test forgot). MODE `stop` then ends with
`logger.stop()` (which delivers the spool); MODE `die` stops writing once `die` exists
in CONTROL_DIR (the test makes it while the server is down), lets the flusher spool what
it holds, and ends with `os._exit`, without stopping: what is spooled waits for
`streamvis sync`.
Prints JSON lines: `{"run": handle}` first, `{"acked": N}`s, then a summary.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

from streamvis import DataLogger

MAX_SECONDS = 600.0


def say(**what: object) -> None:
    print(json.dumps(what), flush=True)


def main() -> None:
    uri, spool, control, mode = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]
    stop_file = control / ("die" if mode == "die" else "stop")
    caught: list[str] = []
    warnings.showwarning = lambda message, *_args, **_kw: caught.append(str(message))
    logger = DataLogger(uri=uri, flush_every=0.05, spool_dir=spool, rpc_timeout=3,
                        tags=("crash",)).start()
    say(run=str(logger.run_handle))
    written = 0
    deadline = time.monotonic() + MAX_SECONDS
    while time.monotonic() < deadline and not stop_file.exists():
        for _ in range(10):
            logger.write("crash", crash_row=written, crash_value=float(written))
            written += 1
        if written % 200 == 0 and logger.flush(timeout=0.5):
            say(acked=written)
        time.sleep(0.005)
    if mode == "die":
        # The server is down: the flusher's next cycle spools what it holds.
        logger.flush(timeout=1.0)
        say(written=written, stopped=False, warnings=caught)
        os._exit(0)
    stopped = bool(logger.stop(timeout=90))  # a Delivery: true when every row arrived
    if stopped:
        say(acked=written)
    say(written=written, stopped=stopped, warnings=caught)


if __name__ == "__main__":
    main()
