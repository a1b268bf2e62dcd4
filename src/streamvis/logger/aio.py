"""AsyncDataLogger: the same logger for asyncio programs.

`write`, `set_attributes`, `add_tags` and `declare` only queue work, so they are the
same plain (non-async) methods as DataLogger's and never block the event loop — except
past the memory bound, where `write` waits for the flusher thread like DataLogger's
does. `write` (and `write_config`) return WRITTEN, an awaitable already done, so code
of the (scope, name, index) era that says `await logger.write(...)` runs unchanged
(logger/written.py). `start`, `flush` and `stop` wait for the server, so here they are
coroutines that wait in a worker thread and leave the loop free.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from streamvis.logger.core import LoggerCore
from streamvis.logger.delivery import Delivery


class AsyncDataLogger(LoggerCore):
    """DataLogger for asyncio: `async with AsyncDataLogger(...) as logger: ...`.

    Takes the same arguments as DataLogger.
    """

    async def start(self) -> AsyncDataLogger:
        # Creating the channel and thread is quick and does not touch the network.
        self._start()
        return self

    async def flush(self, timeout: float | None = 10.0) -> bool:
        """Send everything written so far; True once the server acknowledged all of it."""
        ok = await asyncio.to_thread(self._flush_wait, timeout)
        self._surface_errors(stacklevel=2)
        return ok

    async def stop(self, timeout: float | None = 30.0) -> Delivery:
        """Flush, wait for the acknowledgement (up to `timeout`), and shut down; returns
        the rows delivered, spooled and rejected, as DataLogger.stop does."""
        ok = await asyncio.to_thread(self._stop_wait, timeout)
        self._surface_errors(stacklevel=2)
        return ok

    async def __aenter__(self) -> AsyncDataLogger:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self._stop_wait, 30.0)
        # While an exception propagates, a logging problem must not replace it: it was
        # logged when found.
        if exc is None:
            self._surface_errors(stacklevel=2)
