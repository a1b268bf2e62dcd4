"""The token gate's lockouts: per credential, per door, never against the right token."""

from __future__ import annotations

from streamvis.model import security
from streamvis.model.security import FailedAttempts, Gate, Verdict

TOKEN = "the-right-token-0123456789"  # noqa: S105 - a test token
GUESS = "guess-x-0000000000"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gate() -> tuple[Gate, Clock]:
    clock = Clock()
    return Gate(TOKEN, FailedAttempts(burst=10, refill_seconds=6.0, clock=clock)), clock


def test_the_right_token_is_never_locked_out() -> None:
    g, clock = gate()
    for i in range(50):
        g.check("10.0.0.1", door="gRPC", token=f"guess-{i:04d}-xxxxxxxxxxxx")
        clock.now += 1  # then one every second, faster than the refill
        assert g.check("10.0.0.1", door="gRPC", token=TOKEN) is Verdict.OK
        assert g.check("10.0.0.1", door="HTTP", token=TOKEN) is Verdict.OK


def test_repeating_one_wrong_token_is_throttled_for_that_token_only() -> None:
    g, _ = gate()
    wrong = "w" * 20
    assert [g.check("a", door="gRPC", token=wrong) for _ in range(10)] == [Verdict.WRONG] * 10
    assert g.check("a", door="gRPC", token=wrong) is Verdict.LIMITED
    assert g.retry_after("a", door="gRPC", token=wrong) >= 1
    # Another wrong token from the same address is still answered (and counted).
    assert g.check("a", door="gRPC", token="x" * 20) is Verdict.WRONG


def test_distinct_guesses_are_throttled_per_address_and_door() -> None:
    g, clock = gate()
    verdicts = [g.check("a", door="HTTP", token=f"guess-{i}") for i in range(11)]
    assert verdicts == [Verdict.WRONG] * 10 + [Verdict.LIMITED]
    assert g.retry_after("a", door="HTTP", token=f"guess-{10}") == 6
    # Other addresses and the other door keep their own counts.
    assert g.check("b", door="HTTP", token=GUESS) is Verdict.WRONG
    assert g.check("a", door="gRPC", token=GUESS) is Verdict.WRONG
    clock.now += 6  # one more guess per refill
    assert g.check("a", door="HTTP", token=f"guess-{11}") is Verdict.WRONG
    assert g.check("a", door="HTTP", token=f"guess-{12}") is Verdict.LIMITED


def test_a_scan_keeps_memory_bounded() -> None:
    attempts = FailedAttempts(burst=1, refill_seconds=3600.0)
    limit = security._MAX_TRACKED
    g = Gate(TOKEN, attempts)
    for i in range(limit + 50):
        g.check(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", door="HTTP", token=GUESS)
    assert len(attempts._buckets) <= limit + 1
