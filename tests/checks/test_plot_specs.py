"""Plot specs (checks/plot_specs.py): the settings of the text and table kinds are checked,
their bindings follow the grammar's type rules; `y_range` is kept when it names a range and
refused with the choices otherwise (the web API's 400 is in tests/web/test_plots_api.py)."""

from __future__ import annotations

import uuid

import pytest

from streamvis.checks.plot_specs import Y_RANGES, check_binding_types, check_plot_spec
from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.schema import Field, FieldType

TEXT = {"kind": "text", "datasets": [{"series": "samples", "bindings": {
    "text": "out", "expected": "want", "frame": "step"}}]}
TABLE = {"kind": "table", "datasets": [{"series": "samples", "bindings": {}}]}


@pytest.mark.parametrize("fmt", ["auto", "plain", "markdown", "html", "svg"])
def test_a_text_format_is_kept(fmt):
    assert check_plot_spec({**TEXT, "format": fmt, "diff": "side"}, "t")["format"] == fmt


@pytest.mark.parametrize(("key", "value", "message"), [
    ("format", "rtf", "format = 'rtf': use one of auto, plain, markdown, html, svg"),
    ("format", 3, "format = 3: use one of"),
    ("diff", "unified", "diff = 'unified': use one of inline, side"),
])
def test_a_bad_text_setting_is_refused(key, value, message):
    with pytest.raises(InvalidArgumentError, match=message):
        check_plot_spec({**TEXT, key: value}, "t")


def test_a_text_plot_needs_text_and_a_table_needs_nothing():
    with pytest.raises(InvalidArgumentError, match="a text plot needs a field bound to text"):
        check_plot_spec({"kind": "text", "datasets": [{"series": "s", "bindings": {}}]}, "t")
    assert check_plot_spec(TABLE, "t")["kind"] == "table"
    columns = {**TABLE, "datasets": [{"series": "s", "bindings": {"column": ["a", "b"]}}]}
    assert check_plot_spec(columns, "t")["datasets"][0]["bindings"]["column"] == ["a", "b"]


def _field(name: str, kind: FieldType) -> Field:
    return Field(handle=uuid.uuid4(), name=name, type=kind)


def test_text_bindings_follow_the_type_rules():
    fields = [_field("out", FieldType.STRING), _field("want", FieldType.STRING),
              _field("step", FieldType.INT), _field("loss", FieldType.FLOAT)]
    check_binding_types(check_plot_spec(TEXT, "t"), fields)
    bad = {"kind": "text", "datasets": [{"series": "s", "bindings": {"text": "loss"}}]}
    with pytest.raises(InvalidArgumentError,
                       match=r"bindings\.text: text takes string fields; 'loss' is float"):
        check_binding_types(check_plot_spec(bad, "t"), fields)
    table = {"kind": "table", "datasets": [{"series": "s", "bindings": {
        "column": ["loss", "out", "step"]}}]}
    check_binding_types(check_plot_spec(table, "t"), fields)


CONTOUR = {"kind": "contour", "datasets": [{"series": "field", "bindings": {
    "x": "px", "y": "py", "z": "height"}}]}


def test_a_contour_keeps_its_levels_and_fill():
    spec = check_plot_spec({**CONTOUR, "levels": 7, "filled": True}, "c")
    assert (spec["levels"], spec["filled"]) == (7, True)


@pytest.mark.parametrize(("key", "value", "error", "message"), [
    ("levels", 0, InvalidArgumentError, "levels .* must be at least 1, got 0"),
    ("levels", 2.5, InvalidArgumentError, "levels .* must be an integer"),
    ("levels", 101, ResourceExhaustedError, "levels = 101: a contour draws at most 100"),
    ("filled", "yes", InvalidArgumentError, "filled = 'yes': use true"),
])
def test_a_bad_contour_setting_is_refused(key, value, error, message):
    with pytest.raises(error, match=message):
        check_plot_spec({**CONTOUR, key: value}, "c")


def test_a_contour_needs_x_y_and_z():
    bindings = {"x": "px", "y": "py"}
    with pytest.raises(InvalidArgumentError, match="a contour plot needs a field bound to z"):
        check_plot_spec({**CONTOUR, "datasets": [{"series": "field", "bindings": bindings}]},
                        "c")


LINE = {"kind": "line", "datasets": [{"series": "train", "bindings": {"x": "step", "y": "loss"}}]}


@pytest.mark.parametrize("mode", Y_RANGES)
def test_a_y_range_is_kept_as_given(mode: str) -> None:
    assert check_plot_spec({**LINE, "y_range": mode}, "loss")["y_range"] == mode


@pytest.mark.parametrize("mode", ["percentile", "", None, 1, ["robust"]])
def test_another_y_range_is_refused_naming_the_choices(mode: object) -> None:
    choices = r"y_range = .*use one of 'auto', 'robust', 'full'"
    with pytest.raises(InvalidArgumentError, match=choices):
        check_plot_spec({**LINE, "y_range": mode}, "loss")


CLOUD = {"kind": "scatter3d", "datasets": [{"series": "pts", "bindings": {
    "x": "a", "y": "b", "z": "c"}}]}


@pytest.mark.parametrize("kind", ["scatter3d", "surface"])
def test_a_3d_plot_takes_log_scales_on_its_box_axes(kind):
    spec = {**CLOUD, "kind": kind, "scales": {"x": "log", "y": "lin", "z": "log"}}
    assert check_plot_spec(spec, "p")["scales"] == {"x": "log", "y": "lin", "z": "log"}


@pytest.mark.parametrize(("kind", "axis", "message"), [
    ("scatter3d", "x2", "scales.x2: a scatter3d plot's axes are x, y, z"),
    ("line", "z", "scales.z: a line plot's axes are x, y, x2, y2"),
])
def test_a_scale_on_an_axis_the_kind_lacks_is_refused(kind, axis, message):
    bindings = {"x": "a", "y": "b"} | ({"z": "c"} if kind == "scatter3d" else {})
    spec = {"kind": kind, "datasets": [{"series": "s", "bindings": bindings}],
            "scales": {axis: "log"}}
    with pytest.raises(InvalidArgumentError, match=message):
        check_plot_spec(spec, "p")
