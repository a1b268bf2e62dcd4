"""The plot grammar table (checks/grammar.py): roles read their types from the type
registry, kinds are checked when registered, and a binding is refused with a reason."""

from __future__ import annotations

import pytest

from streamvis.checks.grammar import GRAMMAR, REDUCTIONS, Grammar, Kind, Role
from streamvis.model.types import NUMERIC, TYPES


def test_roles_take_the_types_of_their_traits():
    assert GRAMMAR.role("x").types() == ("float", "int")
    assert GRAMMAR.role("group").types() == ("bool", "int", "string")
    assert GRAMMAR.role("color").types() == ("bool", "float", "int", "string")
    assert [r.id for r in GRAMMAR.roles if r.run] == ["color", "group", "facet"]
    for role in GRAMMAR.roles:
        assert set(role.types()) <= set(TYPES.names())


def test_every_kind_uses_a_known_reduction():
    assert {k.reduction for k in GRAMMAR.kinds} - {None} <= set(REDUCTIONS)


@pytest.mark.parametrize(("kind", "role", "name", "field_type", "problem"), [
    ("line", "y", "opt", "string", "y takes float or int fields; 'opt' is string"),
    ("line", "group", "lr", "float", "group takes bool or int or string fields; 'lr' is float"),
    ("line", "x", "run", None, "x cannot be the run: the run is a handle; x is a position"),
    ("line", "z", "depth", "float", ("a line plot does not draw z (scatter3d, surface, contour, "
     "mesh plots draw it); a line plot's roles are x, y, color, group, order, facet, frame")),
    ("scatter", "z", "depth", None, ("a scatter plot does not draw z (scatter3d, surface, contour, "
     "mesh plots draw it)")),
    ("line", "size", "tokens", "int", ("a line plot does not draw size (scatter, scatter3d "
     "plots draw it)")),
    ("scatter", "order", "step", "int",
     "a scatter plot does not draw order (line, stem, area plots"),
    # The type is judged first: that field fits no plot's role.
    ("line", "size", "good", "bool", "size takes float or int fields; 'good' is bool"),
])
def test_a_refused_binding_says_why(kind, role, name, field_type, problem):
    found = GRAMMAR.binding_problem(kind, role, name, field_type)
    assert found is not None and found.startswith(problem), found


@pytest.mark.parametrize(("kind", "role", "name", "field_type"), [
    ("line", "x", "step", "int"),
    ("line", "group", "run", None),
    ("scatter", "size", "tokens", "float"),
    ("scatter", "color", "opt", "string"),
    ("line", "y", "renamed", None),  # a field the store does not know
])
def test_a_fitting_binding_is_taken(kind, role, name, field_type):
    assert GRAMMAR.binding_problem(kind, role, name, field_type) is None


def test_a_kind_is_checked_when_registered():
    grammar = Grammar([Role("x", "position", frozenset({NUMERIC}), "is a position")], [])
    bad = [
        Kind("k", "K", "", ("x", "w"), ("x",), "m4", "line"),
        Kind("k", "K", "", ("x",), ("x", "x2"), "m4", "line"),
        Kind("k", "K", "", ("x",), ("x",), "fourier", "line"),
    ]
    for kind in bad:
        with pytest.raises(ValueError, match="plot kind 'k'"):
            grammar.register_kind(kind)
    grammar.register_kind(Kind("k", "K", "", ("x",), ("x",), None, "line"))
    with pytest.raises(ValueError, match="registered already"):
        grammar.register_kind(Kind("k", "K", "", ("x",), ("x",), None, "line"))
    assert grammar.kind_names() == "k"
    grammar.unregister_kind("k")
    assert not grammar.has_kind("k")
    assert not grammar.has_kind(["k"])  # not hashable: no TypeError


def test_the_json_lists_roles_and_kinds_in_table_order():
    served = GRAMMAR.as_json()
    assert [r["id"] for r in served["roles"]] == [r.id for r in GRAMMAR.roles]
    line = served["kinds"][0]
    assert line == {"id": "line", "label": "Line", "hint": line["hint"],
                    "roles": ["x", "y", "color", "group", "order", "facet", "frame"],
                    "required": ["x", "y"], "reduction": "m4", "painter": "line",
                    "one_of": [], "scales": ["x", "y", "x2", "y2"]}
    x = served["roles"][0]
    assert x == {"id": "x", "help": "horizontal position", "traits": ["numeric"],
                 "types": ["float", "int"], "run": False,
                 "reason": "is a position or amount, so it needs numbers"}


def test_text_and_table_kinds_take_their_types():
    assert GRAMMAR.role("text").types() == ("string",)
    assert GRAMMAR.role("expected").types() == ("string",)
    # Every type: the media types as cells with a thumbnail or a player.
    assert set(GRAMMAR.role("column").types()) == set(TYPES.names()) == {
        "bool", "float", "int", "string", "image", "audio", "video"}
    assert GRAMMAR.binding_problem("text", "text", "out", "string") is None
    assert GRAMMAR.binding_problem("text", "text", "loss", "float") == (
        "text takes string fields; 'loss' is float")
    assert GRAMMAR.binding_problem("text", "text", "run", None) == (
        "text cannot be the run: the run is a handle; text is shown as text, so it needs "
        "strings")
    assert GRAMMAR.binding_problem("table", "column", "loss", "float") is None
    assert GRAMMAR.binding_problem("table", "x", "loss", "float") == (
        "a table plot does not draw x (line, scatter, histogram, heatmap, stem, area, band, "
        "scatter3d, surface, contour, quiver, mesh plots draw it); a table plot's roles are "
        "column, frame, facet")
    assert GRAMMAR.kind("text").reduction == "text"
    assert GRAMMAR.kind("table").required == ()


def test_quiver_roles_take_numbers_and_other_kinds_refuse_them():
    assert GRAMMAR.binding_problem("quiver", "u", "wind_u", "float") is None
    assert GRAMMAR.binding_problem("quiver", "v", "name", "string") == (
        "v takes float or int fields; 'name' is string")
    assert GRAMMAR.binding_problem("line", "u", "wind_u", "float") == (
        "a line plot does not draw u (quiver plots draw it); a line plot's roles are x, y, "
        "color, group, order, facet, frame")
    assert GRAMMAR.kind("quiver").required == ("x", "y", "u", "v")
    assert GRAMMAR.kind("contour").reduction == "grid"


def test_the_media_kind_takes_media_and_box_overlays():
    assert GRAMMAR.role("media").types() == ("audio", "image", "video")
    assert GRAMMAR.role("mask").types() == ("image",)
    assert GRAMMAR.binding_problem("media", "media", "img", "image") is None
    assert GRAMMAR.binding_problem("media", "media", "loss", "float") == (
        "media takes audio or image or video fields; 'loss' is float")
    assert GRAMMAR.binding_problem("media", "mask", "clip", "audio") == (
        "mask takes image fields; 'clip' is audio")
    assert GRAMMAR.binding_problem("media", "x0", "box.x0", "float") is None
    assert GRAMMAR.binding_problem("media", "label", "box.score", "float") == (
        "label takes bool or int or string fields; 'box.score' is float")
    assert GRAMMAR.binding_problem("line", "y", "img", "image") == (
        "y takes float or int fields; 'img' is image")
    assert GRAMMAR.binding_problem("line", "media", "img", "image") == (
        "a line plot does not draw media (media plots draw it); a line plot's roles are x, "
        "y, color, group, order, facet, frame")
    media = GRAMMAR.kind("media")
    assert media.reduction == "frame_rows" and media.painter == "media"
    assert media.one_of == (("media",), ("x0", "y0", "x1", "y1"))
