"""The `y_range` setting of a plot spec (checks/plot_specs.py): kept when it names a range,
refused with the choices otherwise (the web API's 400 is in tests/web/test_plots_api.py)."""

from __future__ import annotations

import pytest

from streamvis.checks.plot_specs import Y_RANGES, check_plot_spec
from streamvis.model.errors import InvalidArgumentError

LINE = {"kind": "line", "datasets": [{"series": "train", "bindings": {"x": "step", "y": "loss"}}]}


@pytest.mark.parametrize("mode", Y_RANGES)
def test_a_y_range_is_kept_as_given(mode: str) -> None:
    assert check_plot_spec({**LINE, "y_range": mode}, "loss")["y_range"] == mode


@pytest.mark.parametrize("mode", ["percentile", "", None, 1, ["robust"]])
def test_another_y_range_is_refused_naming_the_choices(mode: object) -> None:
    choices = r"y_range = .*use one of 'auto', 'robust', 'full'"
    with pytest.raises(InvalidArgumentError, match=choices):
        check_plot_spec({**LINE, "y_range": mode}, "loss")

