"""What the logger does with each refusal: the one table every sender reads.

A refusal is one of three things, and nothing else in the logger decides which:

- RETRY: the condition passes (the server is away or busy, its disk or memory is full,
  our token is locked out for a while, an internal failure). The record waits — in the
  spool, in order — and is resent with backoff. ACCESS is RETRY at a slow pace: the
  server refuses this client, not this record (no or a wrong token, a server that takes
  no logged data), so every record would be refused alike; they all wait, for a later
  retry or `streamvis sync --token`, and retrying slower than the server's limit on
  failed attempts never locks us out.
- SPLIT: the request is larger than the server takes (`streamvis serve
  --max-request-mb`): it is split by rows into pieces that fit, and resent.
- REJECT: the request itself is wrong (a type mismatch, an unknown series, a string
  over a limit). Resending cannot help and would block the queue for good: the record
  is set aside in `rejected/` with the reason, counted and reported.
"""

from __future__ import annotations

import enum
import re

from streamvis.model.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    StreamvisError,
    UnauthenticatedError,
    UnavailableError,
)


class Action(enum.Enum):
    RETRY = "retry"
    ACCESS = "retry slowly"
    SPLIT = "split and retry"
    REJECT = "reject"


#: gRPC's own refusal of an oversized message, on either side of the channel:
#: "Received message larger than max (1600042 vs. 1048576)".
_TOO_LARGE = re.compile(r"message larger than max \((\d+) vs\. (\d+)\)")
#: RESOURCE_EXHAUSTED for a limit of the request itself (model/limits.py words them
#: "at most N ... accepted"): the request is wrong, not the server's state.
_OVER_A_LIMIT = re.compile(r"\bat most\b")

#: Status -> action, for the statuses whose class says it all.
TABLE: dict[type[StreamvisError], Action] = {
    UnavailableError: Action.RETRY,  # UNAVAILABLE, DEADLINE_EXCEEDED (client.py)
    UnauthenticatedError: Action.ACCESS,  # no token, a wrong one, or locked out
    PermissionDeniedError: Action.ACCESS,  # a read-only server takes no logged data
    InvalidArgumentError: Action.REJECT,
    NotFoundError: Action.REJECT,
    FailedPreconditionError: Action.REJECT,
    AlreadyExistsError: Action.REJECT,  # the ones delivery.py cannot ignore
    # ABORTED, INTERNAL, UNKNOWN travel as the base class: a failure of the server's,
    # not of the request, so it may pass.
    StreamvisError: Action.RETRY,
}


def classify(exc: StreamvisError) -> Action:
    """The action for a refusal; the one place the logger decides it."""
    if isinstance(exc, ResourceExhaustedError):
        text = str(exc)
        if _TOO_LARGE.search(text):
            return Action.SPLIT
        # Anything else exhausted is the server's state (a full disk, out of memory:
        # store/sqlite.py, store/postgres.py), which passes, unless a limit names it.
        return Action.REJECT if _OVER_A_LIMIT.search(text) else Action.RETRY
    for cls in type(exc).__mro__:
        action = TABLE.get(cls)
        if action is not None:
            return action
    return Action.RETRY


#: A refusal that says how long it lasts: "too many wrong tokens ...: wait 5 s".
_WAIT = re.compile(r"\bwait (\d+(?:\.\d+)?) s\b")


def retry_after(exc: StreamvisError) -> float | None:
    """Seconds the refusal says to wait before retrying, if it says."""
    m = _WAIT.search(str(exc))
    return float(m.group(1)) if m else None


def request_limit(exc: StreamvisError) -> int | None:
    """The largest request in bytes the refusal says the channel takes, if it says."""
    m = _TOO_LARGE.search(str(exc))
    return int(m.group(2)) if m else None
