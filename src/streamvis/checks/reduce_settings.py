"""The settings of the aggregating reductions: how many bins, how cells add up.

A data request carries them as top-level keys (`bins`, `bin_width`, `bin_rule`,
`t_bins`, `aggregate`; docs/http-api.md), a saved plot as its `reduce` object
(docs/plots.md), which the browser copies into each request. The names of the bin rules
and aggregates are here; web/bin_rules.py holds one function per name
(tests/web/test_reduce_bins.py checks that they match).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from streamvis.checks.json_checks import check_keys, expect_object, integer, number
from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.limits import MAX_BINS

#: Bin-count rules by name, with what each does (the default is the first).
BIN_RULES: dict[str, str] = {
    "fd": "Freedman-Diaconis: width 2 IQR / n^(1/3); robust to outliers",
    "sturges": "log2(n) + 1 bins; for small, normal-looking samples",
    "sqrt": "sqrt(n) bins",
}
#: Aggregates by name: what a cell, bar or heatmap shows of its rows.
AGGREGATES: dict[str, str] = {
    "count": "the number of rows (needs no value field)",
    "sum": "the sum of the value field",
    "mean": "the mean of the value field",
    "min": "the smallest value",
    "max": "the largest value",
    "last": "the value of the last row logged",
}
#: The keys of a plot spec's `reduce` object, as a data request spells them.
REDUCE_KEYS = frozenset({"bins", "bin_width", "bin_rule", "t_bins", "aggregate"})


@dataclass(frozen=True)
class Binning:
    """How many bins an axis gets: a count, a width, or a rule of BIN_RULES (default)."""

    count: int | None = None
    width: float | None = None
    rule: str = "fd"
    t_count: int | None = None


def parse_binning(body: Mapping[str, object]) -> Binning:
    def count(key: str) -> int | None:
        if body.get(key) is None:
            return None
        n = integer(body[key], key, 1)
        if n > MAX_BINS:
            raise ResourceExhaustedError(
                f"{key}={n} is more than {MAX_BINS}: ask for fewer bins, or a wider bin_width")
        return n

    width = number(body["bin_width"], "bin_width") if body.get("bin_width") is not None else None
    if width is not None and width <= 0:
        raise InvalidArgumentError(f"bin_width must be above 0, got {width}")
    rule = body.get("bin_rule") or "fd"
    if not isinstance(rule, str) or rule not in BIN_RULES:
        raise InvalidArgumentError(
            f"bin_rule {rule!r} is not one of {', '.join(BIN_RULES)}: give one, or \"bins\"")
    return Binning(count("bins"), width, rule, count("t_bins"))


def parse_aggregate(value: object) -> str:
    if value is None:
        return "count"
    if not isinstance(value, str) or value not in AGGREGATES:
        raise InvalidArgumentError(
            f"aggregate must be one of {', '.join(AGGREGATES)}, got {value!r}")
    return value


def check_reduce(value: object) -> None:
    """A plot spec's `reduce` object; raises saying what is wrong."""
    body = expect_object(value, "reduce")
    check_keys(body, REDUCE_KEYS, "reduce")
    parse_binning(body)
    parse_aggregate(body.get("aggregate"))
