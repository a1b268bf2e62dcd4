"""`WRITTEN`: what `write` returns, so that `await logger.write(...)` works.

The (scope, name, index) era's AsyncDataLogger had a coroutine `write`, and its users'
code says `await logger.write(...)`. Here `write` only queues (it never waits for the
network), so there is nothing to wait for: it returns one shared object that is an
awaitable already done. Returning it costs a global load; awaiting it finishes at once
without giving the event loop a turn, as awaiting a coroutine that does not suspend.
Code that does not await it (every DataLogger program) ignores it.
"""

from __future__ import annotations

from collections.abc import Generator


class Written:
    """An awaitable that is already done (its result is None). One instance: WRITTEN."""

    __slots__ = ()

    def __await__(self) -> Generator[None, None, None]:
        return
        yield  # a generator that ends at once: `await` returns None without suspending

    def __repr__(self) -> str:
        return "WRITTEN"


#: The value `write` and `write_config` return (docs/compat.md, "The (scope, name,
#: index) era").
WRITTEN = Written()
