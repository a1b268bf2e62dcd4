"""Progress bars and spinners that draw in the terminal and log to the `progress` series.

`Progress` wraps tqdm when it is installed (so a bar looks and behaves as tqdm's do,
and takes tqdm's arguments), else draws a one-line bar of its own on stderr. Either
way it logs (desc, done, total, rate, elapsed) to the run's `progress` series at
most every PROGRESS_EVERY seconds, plus the first and the last state, so the run page
and the run search can show a live bar and an ETA without a row per item.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from types import TracebackType
from typing import Any, Generic, TypeVar

from streamvis.model import capture as cap

T = TypeVar("T")

_SPIN = "|/-\\"
_BAR = 24


class Progress(Generic[T]):
    """One bar (or spinner, without a total); iterate it, or `update(n)` and `close()`."""

    def __init__(self, log: Callable[..., None], iterable: Iterable[T] | None,
                 total: int | None, desc: str, tqdm_args: dict[str, Any]) -> None:
        if total is None and isinstance(iterable, Sized):
            total = len(iterable)
        self._log = log
        self.iterable = iterable
        self.total = total
        self.desc = desc
        self.n = 0
        self._start = time.monotonic()
        self._logged_at = -1e9
        self._drawn_at = -1e9
        self._closed = False
        self._tqdm = _make_tqdm(total, desc, tqdm_args)
        self._record(force=True)

    def __iter__(self) -> Iterator[T]:
        if self.iterable is None:
            raise TypeError("this progress bar has no iterable: call update(n) instead")
        try:
            for item in self.iterable:
                yield item
                self.update(1)
        finally:
            self.close()

    def __len__(self) -> int:
        return self.total or 0

    def update(self, n: int = 1) -> None:
        """Count `n` more items done."""
        self.n += n
        if self._tqdm is not None:
            self._tqdm.update(n)
        now = time.monotonic()
        if self._tqdm is None and now - self._drawn_at >= 0.1:
            self._drawn_at = now
            self._draw(final=False)
        if now - self._logged_at >= cap.PROGRESS_EVERY:
            self._record(now=now)

    def set_description(self, desc: str) -> None:
        self.desc = desc
        if self._tqdm is not None:
            self._tqdm.set_description(desc)

    def close(self) -> None:
        """Draw and log the last state (once)."""
        if self._closed:
            return
        self._closed = True
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            self._draw(final=True)
        self._record(force=True)

    def __enter__(self) -> Progress[T]:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _record(self, *, force: bool = False, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if not force and now - self._logged_at < cap.PROGRESS_EVERY:
            return
        self._logged_at = now
        elapsed = now - self._start
        self._log(**{
            cap.PROGRESS_DESC: self.desc, cap.PROGRESS_DONE: self.n,
            cap.PROGRESS_TOTAL: -1 if self.total is None else int(self.total),
            cap.PROGRESS_RATE: self.n / elapsed if elapsed > 0 else 0.0,
            cap.PROGRESS_TIME: time.time(), cap.PROGRESS_ELAPSED: elapsed,
        })

    def _draw(self, final: bool) -> None:
        """Our own one-line drawing, on stderr, redrawn with a carriage return."""
        elapsed = time.monotonic() - self._start
        rate = self.n / elapsed if elapsed > 0 else 0.0
        head = f"{self.desc}: " if self.desc else ""
        if self.total:
            frac = min(self.n / self.total, 1.0)
            fill = int(frac * _BAR)
            eta = (self.total - self.n) / rate if rate > 0 else 0.0
            text = (f"{head}{frac:4.0%}|{'#' * fill}{' ' * (_BAR - fill)}| "
                    f"{self.n}/{self.total} [{elapsed:.0f}s<{eta:.0f}s, {rate:.2f}it/s]")
        else:
            spin = _SPIN[next(_spins) % len(_SPIN)] if not final else "done"
            text = f"{head}{spin} {self.n} [{elapsed:.0f}s, {rate:.2f}it/s]"
        sys.stderr.write("\r" + text + ("\n" if final else ""))
        sys.stderr.flush()


_spins = itertools.count()


def _make_tqdm(total: int | None, desc: str, args: dict[str, Any]) -> Any:
    try:
        from tqdm import tqdm  # noqa: PLC0415 - optional: our own drawer without it
    except ImportError:
        return None
    return tqdm(total=total, desc=desc or None, **args)
