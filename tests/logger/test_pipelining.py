"""An append in flight while the next slice is built: order and exactly-once kept when
the connection to the server is cut mid-flight, again and again."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from streamvis import DataLogger
from tests.served import series_rows as query_rows
from tests.store.tcp_proxy import tcp_proxy

ROWS = 2_000  # per write
WRITES = 400


def test_appends_in_flight_survive_cut_connections_in_order_once(uri: str, spool: Path) -> None:
    host, port = uri.rsplit(":", 1)
    cuts = 0
    with tcp_proxy((host, int(port))) as proxy:
        # Slices of one batch (16 kB, one write): every cycle sends many appends, each
        # sent while the next is built, so cuts meet appends in flight.
        logger = DataLogger(uri=f"127.0.0.1:{proxy.port}", spool_dir=spool, flush_every=0.01,
                            max_batch_bytes=16_000).start()
        done = threading.Event()

        def cutter() -> None:
            nonlocal cuts
            while not done.is_set():
                time.sleep(0.15)
                proxy.cut()
                cuts += 1
                time.sleep(0.05)
                proxy.restore()

        thread = threading.Thread(target=cutter, daemon=True)
        thread.start()
        for k in range(WRITES):
            logger.write("floats", f=np.arange(k * ROWS, (k + 1) * ROWS, dtype=np.float64))
            if k % 20 == 0:
                time.sleep(0.02)  # spread the writes over several cuts
        done.set()
        thread.join(5)
        proxy.restore()
        delivery = logger.stop(timeout=60)
    assert cuts >= 3
    assert delivery.delivered == WRITES * ROWS and not delivery.spooled, delivery
    # In sequence order: every row once, in the order written.
    got = query_rows(uri, logger.run_handle, "floats")["f"]
    assert got == list(np.arange(WRITES * ROWS, dtype=np.float64))
