"""At most MAX_SOCKETS_PER_CLIENT live-event WebSockets per client address."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from streamvis.model.limits import MAX_SOCKETS_PER_CLIENT
from streamvis.testing import ServerProcess


def test_sockets_beyond_the_quota_are_refused_until_one_closes(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path)) as server, contextlib.ExitStack() as stack:
        url = server.web_url.replace("http://", "ws://") + "api/events"
        sockets = [stack.enter_context(connect(url, open_timeout=10))
                   for _ in range(MAX_SOCKETS_PER_CLIENT)]
        with pytest.raises(InvalidStatus) as refused:
            connect(url, open_timeout=10).close()
        assert refused.value.response.status_code == 429
        assert b"the most allowed" in refused.value.response.body
        sockets[0].close()
        # The server notices the close a moment later.
        for _ in range(50):
            try:
                stack.enter_context(connect(url, open_timeout=10))
                break
            except InvalidStatus:
                time.sleep(0.1)
        else:
            pytest.fail("a socket was closed but a new one is still refused")
