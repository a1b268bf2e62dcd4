"""A logger process for the crash tests: writes numbered rows and says which are acknowledged.

    python tests/service/crash_worker.py URI SPOOL_DIR SECONDS MODE [DIE_FILE]

Writes rows `crash_row` = 0, 1, 2, ... (with `crash_value` = the same as a float) to
series `crash` through a `DataLogger` that flushes every 50 ms, and calls `flush()` now
and then: when it returns True every row so far is acknowledged by the server, and
the worker prints `{"acked": N}` (rows 0..N-1). MODE `stop` ends with `logger.stop()`
(which delivers the spool); MODE `die` stops writing early once DIE_FILE exists (the
test makes it while the server is down), lets the flusher spool what it holds, and
ends with `os._exit`, without stopping: what is spooled waits for `streamvis sync`.
Prints JSON lines: `{"run": handle}` first, `{"acked": N}`s, then a summary.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

from streamvis import DataLogger


def say(**what: object) -> None:
    print(json.dumps(what), flush=True)


def main() -> None:
    uri, spool, seconds, mode = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    die_file = sys.argv[5] if mode == "die" else None
    caught: list[str] = []
    warnings.showwarning = lambda message, *_args, **_kw: caught.append(str(message))
    logger = DataLogger(uri=uri, flush_every=0.05, spool_dir=spool, rpc_timeout=3,
                        tags=("crash",)).start()
    say(run=str(logger.run_handle))
    written = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if die_file is not None and os.path.exists(die_file):  # noqa: PTH110
            break
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
