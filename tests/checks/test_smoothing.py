"""The `smooth` setting of a line plot spec: what is kept, what is refused and why."""

from __future__ import annotations

import re

import pytest

from streamvis.checks.grammar import GRAMMAR
from streamvis.checks.plot_specs import check_plot_spec
from streamvis.checks.smoothing import check_smooth
from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.limits import MAX_SMOOTH_WINDOW

LINE = {"kind": "line", "datasets": [{"series": "train", "bindings": {"x": "step", "y": "loss"}}]}


@pytest.mark.parametrize("smooth", [{"ema": 0}, {"ema": 0.6}, {"ema": 0.999}, {"window": 1},
                                    {"window": MAX_SMOOTH_WINDOW}, {"window": 25.0}])
def test_a_valid_setting_is_kept_as_given(smooth):
    assert check_plot_spec({**LINE, "smooth": smooth}, "loss")["smooth"] == smooth


@pytest.mark.parametrize(("smooth", "message"), [
    ({"ema": 1}, "from 0 (no smoothing) to below 1"),
    ({"ema": -0.1}, "from 0 (no smoothing) to below 1"),
    ({"ema": "0.6"}, "smooth.ema must be a number"),
    ({"window": 0}, "smooth.window must be at least 1"),
    ({"window": 2.5}, "smooth.window must be an integer"),
    ({"median": 5}, "must name one method, ema or window"),
    ({"ema": 0.5, "window": 3}, "must name one method"),
    ({}, "must name one method"),
    (0.6, "smooth must be"),
])
def test_a_bad_setting_is_refused_saying_what_to_give(smooth, message):
    with pytest.raises(InvalidArgumentError, match=re.escape(message)):
        check_smooth(smooth, GRAMMAR.kind("line"))


def test_a_window_past_the_limit_is_refused_as_too_much():
    with pytest.raises(ResourceExhaustedError, match=f"at most {MAX_SMOOTH_WINDOW}"):
        check_smooth({"window": MAX_SMOOTH_WINDOW + 1}, GRAMMAR.kind("line"))


def test_smoothing_is_refused_on_a_kind_that_draws_no_lines():
    spec = {"kind": "scatter", "smooth": {"ema": 0.5},
            "datasets": [{"series": "train", "bindings": {"x": "step", "y": "loss"}}]}
    with pytest.raises(InvalidArgumentError, match="a scatter plot has none"):
        check_plot_spec(spec, "p")
