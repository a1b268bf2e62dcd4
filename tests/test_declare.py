import uuid

import pytest

from streamvis.declare import (
    Declaration,
    FieldSpec,
    SeriesSpec,
    find_conflicts,
    load_declaration,
    parse_declaration,
)
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.media import FieldOptions
from streamvis.model.schema import Field, FieldType, Series


def test_parse_both_forms_agree():
    as_lists = parse_declaration({
        "fields": [{"name": "step", "type": "int"},
                   {"name": "loss", "type": "float", "description": "training loss"}],
        "series": [{"name": "train", "fields": ["step", "loss"]}],
    })
    as_maps = parse_declaration({
        "fields": {"step": "int", "loss": {"type": "float", "description": "training loss"}},
        "series": {"train": ["step", "loss"]},
    })
    assert as_lists == as_maps
    assert as_lists.fields[1] == FieldSpec("loss", FieldType.FLOAT, "training loss")
    assert as_lists.series == [SeriesSpec("train", ("step", "loss"))]


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ([1, 2], "must be a mapping"),
        ({"fields": [{"type": "int"}]}, "fields\\[0\\] has no 'name'"),
        ({"fields": [{"name": "x"}]}, "has no 'type'"),
        ({"fields": {"x": "double"}}, "unknown field type 'double'"),
        ({"fields": {" x": "int"}}, "whitespace"),
        ({"series": {"s": []}}, "non-empty list"),
        ({"series": {"s": ["a", "a"]}}, "'a' given more than once"),
        ({"fields": [{"name": "x", "type": "int"}, {"name": "x", "type": "int"}]},
         "'x' given more than once"),
    ],
)
def test_parse_refuses(doc, problem):
    with pytest.raises(InvalidArgumentError, match=problem):
        parse_declaration(doc)


def test_load_declaration_errors(tmp_path):
    with pytest.raises(InvalidArgumentError, match="cannot read schema file"):
        load_declaration(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("fields: [unclosed\n")
    with pytest.raises(InvalidArgumentError, match="not valid YAML"):
        load_declaration(bad)


def test_find_conflicts_says_what_differs():
    have_f = {"step": Field(uuid.uuid4(), "step", FieldType.INT)}
    have_s = {"train": Series("train", ("step",))}
    decl = Declaration(
        fields=[FieldSpec("step", FieldType.FLOAT)],
        series=[SeriesSpec("train", ("step", "loss")), SeriesSpec("eval", ("nope",))],
    )
    problems = find_conflicts(decl, have_f, have_s)
    assert any("'step' is int on the server but declared float" in p for p in problems)
    assert any("undeclared field(s) loss" in p for p in problems)
    assert any("series 'train' has fields (step)" in p for p in problems)
    assert any("undeclared field(s) nope" in p for p in problems)
    same_set = Declaration(series=[SeriesSpec("train", ("step",))])
    assert find_conflicts(same_set, have_f, have_s) == []


def test_a_series_x_parses_in_both_forms_and_conflicts_when_it_differs():
    as_list = parse_declaration({
        "fields": {"t": "float", "wave": "int", "note": "string"},
        "series": [{"name": "waves", "fields": ["t", "wave"], "x": "t"}],
    })
    as_map = parse_declaration({
        "fields": {"t": "float", "wave": "int", "note": "string"},
        "series": {"waves": {"fields": ["t", "wave"], "x": "t"}},
    })
    assert as_list == as_map
    assert as_list.series == [SeriesSpec("waves", ("t", "wave"), "t")]
    with pytest.raises(InvalidArgumentError, match=r"series\[0\]: x 'step' of series 'waves' "
                       "is not one of its fields"):
        parse_declaration({"series": {"waves": {"fields": ["t"], "x": "step"}}})
    have_f = {n: Field(uuid.uuid4(), n, t) for n, t in
              (("t", FieldType.FLOAT), ("wave", FieldType.INT), ("note", FieldType.STRING))}
    have_s = {"waves": Series("waves", ("t", "wave"))}
    (problem,) = find_conflicts(as_list, have_f, have_s)
    assert ("has fields (t, wave) and no x (drawn against its first int field) on the "
            "server but is declared with (t, wave) and x 't'") in problem
    assert find_conflicts(as_list, have_f, {"waves": Series("waves", ("wave", "t"), "t")}) == []
    texts = Declaration(series=[SeriesSpec("notes", ("wave", "note"), "note")])
    (problem,) = find_conflicts(texts, have_f, {})
    assert "names 'note' as its x, a string field: name an int or float field" in problem


PLOT = {"kind": "line", "datasets": [{"series": "train", "bindings": {"x": "step", "y": "loss"}}]}


def test_plots_parse_from_a_mapping_or_a_list_and_are_checked():
    as_map = parse_declaration({"plots": {"loss": PLOT}})
    as_list = parse_declaration({"plots": [{**PLOT, "name": "loss"}]})
    assert as_map == as_list
    assert as_map.plots == {"loss": {**PLOT, "name": "loss"}}


@pytest.mark.parametrize(
    ("plots", "problem"),
    [
        ({"loss": {**PLOT, "kind": "pie"}}, r"plots\[0\] \(loss\): plot kind 'pie'"),
        ({"loss": {**PLOT, "scales": {"y": "sqrt"}}}, 'use "lin" or "log"'),
        ([{**PLOT}], r"plots\[0\] has no 'name'"),
        ([{**PLOT, "name": "a"}, {**PLOT, "name": "a"}], "plot 'a' is declared twice"),
        ({"when": {**PLOT, "title": __import__("datetime").date(2026, 1, 1)}}, "is not JSON"),
        ("loss", "plots must be a mapping"),
        ({"loss": "line"}, r"plots\[0\] must be a mapping"),
        ({"loss": {**PLOT, "name": "acc"}}, "plots.loss is named 'acc'"),
    ],
)
def test_bad_plots_are_refused(plots, problem):
    with pytest.raises(InvalidArgumentError, match=problem):
        parse_declaration({"plots": plots})


def test_plot_bindings_are_checked_against_declared_and_existing_fields():
    have_f = {"step": Field(uuid.uuid4(), "step", FieldType.INT)}
    spec = {"kind": "line", "datasets": [{"series": "s", "bindings": {
        "x": "step", "y": "name", "group": "step"}}]}
    decl = parse_declaration({"fields": {"name": "string"}, "plots": {"p": spec}})
    problems = find_conflicts(decl, have_f, {})
    assert problems == [("plot 'p': datasets[0].bindings.y: y takes float or int fields; "
                        "'name' is string")]


def test_a_binding_to_a_role_the_kind_does_not_draw_is_a_conflict():
    spec = {"kind": "scatter", "datasets": [{"series": "s", "bindings": {
        "x": "step", "y": "step", "z": "step"}}]}
    decl = parse_declaration({"fields": {"step": "int"}, "plots": {"p": spec}})
    assert find_conflicts(decl, {}, {}) == [
        ("plot 'p': datasets[0].bindings.z: a scatter plot does not draw z (scatter3d, "
         "surface, contour, mesh plots draw it); a scatter plot's roles are x, y, color, size, "
         "facet, frame, group")]


BOARD = {"layout": "rows=loss,acc;lr&height=2,1", "plots": ["loss", "acc", "lr"]}


def test_dashboards_parse_from_a_mapping_or_a_list_and_are_checked():
    as_map = parse_declaration({"dashboards": {"overview": {**BOARD, "title": "all"}}})
    as_list = parse_declaration({"dashboards": [{**BOARD, "title": "all", "name": "overview"}]})
    assert as_map == as_list
    assert as_map.dashboards == {"overview": {**BOARD, "title": "all", "name": "overview"}}
    # Without "plots", as the server stores it: an empty list.
    bare = parse_declaration({"dashboards": {"b": {"layout": "cols=x"}}})
    assert bare.dashboards["b"] == {"name": "b", "layout": "cols=x", "plots": []}


@pytest.mark.parametrize(
    ("dashboards", "problem"),
    [
        ({"o": {**BOARD, "layout": "loss"}}, r"dashboards\[0\] \(o\): .*rows= or cols="),
        ({"o": {"plots": ["loss"]}}, r'dashboards\[0\] \(o\): .*needs "layout"'),
        ({"o": {**BOARD, "plots": "loss"}}, '"plots" must be an array of plot names'),
        ({"o": {**BOARD, "name": "p"}}, r"dashboards.o is named 'p': make the two the same"),
        ([{**BOARD}], r"dashboards\[0\] has no 'name'"),
        ([{**BOARD, "name": "a"}, {**BOARD, "name": "a"}], "dashboard 'a' is declared twice"),
        ({"o": {**BOARD, "when": __import__("datetime").date(2026, 1, 1)}}, "is not JSON"),
        ({" o": BOARD}, "whitespace"),
        ("overview", "dashboards must be a mapping name -> dashboard"),
        ({"o": "rows=a"}, r"dashboards\[0\] must be a mapping"),
    ],
)
def test_bad_dashboards_are_refused(dashboards, problem):
    with pytest.raises(InvalidArgumentError, match=problem):
        parse_declaration({"plots": {"loss": PLOT}, "dashboards": dashboards})


def test_a_dashboards_plots_must_be_declared_or_saved():
    decl = parse_declaration({"fields": {"step": "int", "loss": "float"},
                              "plots": {"loss": PLOT}, "dashboards": {"overview": BOARD}})
    assert find_conflicts(decl, {}, {}, existing_plots=["lr", "other"]) == [
        ("dashboard 'overview' shows plot(s) acc that are neither declared under plots: nor "
        "saved on the server: declare them, or fix the names")]
    assert find_conflicts(decl, {}, {}, existing_plots=["acc", "lr"]) == []


def test_declared_options_that_differ_from_the_servers_are_a_conflict() -> None:
    decl = parse_declaration(
        {"fields": {"notes": {"type": "string", "options": {"format": "markdown"}}}}, "test")
    have = Field(uuid.uuid4(), "notes", FieldType("string"), "", FieldOptions("plain"))
    [conflict] = find_conflicts(decl, {"notes": have}, {})
    assert "options never change" in conflict
    same = Field(uuid.uuid4(), "notes", FieldType("string"), "", FieldOptions("markdown"))
    assert find_conflicts(decl, {"notes": same}, {}) == []
