"""A server restart under an open dashboard: the page reconnects by itself and catches up.

The server is stopped and started again on the same ports and store while a logger
keeps writing; the page is never reloaded. Its live client (frontend/src/lib/api/
events.ts) retries with backoff, resumes from the last sequence it saw, and the plots
show the rows written while the server was away, then live updates again.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import numpy as np

from streamvis.client import Client
from streamvis.logger import DataLogger
from streamvis.testing import ServerProcess

from .test_dashboard_live import (
    LIVE_DEADLINE_S,
    open_dashboard,
    points_are,
    save_plots,
    shown,
    wait_shown,
    write_steps,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def loss(x: np.ndarray) -> np.ndarray:
    return 1.0 / (x + 1)


def test_the_page_reconnects_after_a_restart_and_shows_what_it_missed(page, tmp_path: Path):
    server = ServerProcess(str(tmp_path / "data"), port=free_port(),
                           extra_args=["--http-port", str(free_port())]).start()
    logger = None
    try:
        with Client(server.uri) as client:
            client.create_field("step", "int")
            client.create_field("loss", "float")
            client.create_series("train", ["step", "loss"])
            handle = uuid.uuid4()
            query = save_plots(client, [handle])
        logger = DataLogger(server.uri, flush_every=0.5, run_handle=handle, strict=True,
                            spool_dir=tmp_path / "spool").start()
        write_steps(logger, range(10), loss)
        assert logger.flush()
        open_dashboard(page, server, query)
        assert shown(page)["line"]["points"] == 10
        page.evaluate("() => { window.__notReloaded = true; }")

        server.stop()
        write_steps(logger, range(10, 20), loss)  # spooled: the server is away
        page.wait_for_timeout(1500)  # the page sees the close and retries meanwhile
        server.start()  # same ports, same store
        assert logger.flush(timeout=30)
        wait_shown(page, points_are(20), "the rows written while the server was away appear",
                   20)
        assert shown(page)["line"]["last"] == (19, 1.0 / 20)

        write_steps(logger, range(20, 25), loss)  # and live updates flow again
        wait_shown(page, points_are(25), "live updates resume", LIVE_DEADLINE_S + 2)
        assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
    finally:
        if logger is not None:
            logger.stop()
        server.stop()
