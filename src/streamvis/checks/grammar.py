"""The plot grammar: every role a plot binds a field to, and every plot kind, in one table.

A **role** says what a binding means (help text), which fields may take it (the type
traits it needs, read from the field type registry `streamvis.model.types`), the reason
the builder shows when a field is refused, and whether the pseudo-field `run` (the run
handle) may take it. A **kind** says how the builder offers it (label, hint, its roles in
builder order, the roles it cannot be drawn without), the server-side reduction of its
data (`REDUCTIONS`; web/api_data.py holds one reducer per name) and the front end's
painter (frontend/src/lib/plot/painters/, one module per painter id).

Everything that checks or offers a plot reads this table: spec checks
(checks/plot_specs.py), `POST /api/data` (web/data_request.py, web/api_data.py), and the
browser, which gets it from `GET /api/info` and keeps no copy. Adding a kind is one
`Kind` here plus, when it draws something new, one painter module
(docs/ARCHITECTURE.md, "Adding a plot kind").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from streamvis.model.types import DISCRETE, MEDIA, NUMERIC, PIXELS, TEXTUAL, TYPES

#: The pseudo-field that stands for the run handle.
RUN = "run"

#: The server-side reductions a kind may use, by name (web/api_data.py, web/lod.py).
REDUCTIONS: dict[str, str] = {
    "m4": "per line and pixel column the first, last, lowest and highest point (M4), so "
          "no spike is hidden; zooming in asks again for finer data",
    "density": "sent whole up to max_points, past it thinned by screen cell so sparse "
               "regions and outliers survive",
    "bins": "the x values counted into bins (count, width or a rule such as "
            "Freedman\u2013Diaconis) at query time; with t bound, counts per (t bin, x bin)",
    "cells": "rows aggregated per cell (count, sum, mean, min, max or last); a numeric axis "
             "of floats is binned, an int, string or bool axis is one cell per value",
    "bands": "runs grouped by attribute value (or all in one group); per group and pixel "
             "column the mean of the runs' mean y, the lowest and highest run and the "
             "standard deviation, aligned on x",
    "quartiles": "per box the quartiles, median, whiskers (1.5 IQR) and the outliers past "
                 "them, at most MAX_OUTLIERS per box",
    "text": "the rows of the frame shown (each run's latest step by default), newest "
            "first up to MAX_TEXT_BYTES of text per response (web/reduce_rows.py)",
    "frame_rows": "the rows of the frame shown (each run's latest step by default), at "
                  "most MAX_MEDIA_PANEL_ROWS per run, the newest kept (web/reduce_rows.py)",
    "page": "the matching rows of every run sorted on the server by one column and sent "
            "one page at a time (offset, at most MAX_TABLE_PAGE_ROWS rows), with the "
            "total count (web/reduce_rows.py)",
    "density3d": "sent whole up to max_points, past it thinned by cell of a 64\u00b3 grid "
                 "over the points, so sparse clusters and outliers survive",
    "arrows": "per run and cell of a grid over the view (one cell per 24 pixels, or bins "
              "per axis) the mean x, y, u and v of its rows: one arrow per cell "
              "(web/reduce_quiver.py)",
    "grid": "rows that form a full (x, y) grid pass as they are; others are binned into a "
            "grid (bins per axis, default 50) with the mean z per cell",
}


@dataclass(frozen=True)
class Role:
    """A visual role a field may be bound to."""

    id: str
    help: str
    #: A field fits when its type has any of these traits (model/types.py).
    traits: frozenset[str]
    #: Why the role needs those traits, said after the role's name when a field is
    #: refused: "x" + " is a position or amount, so it needs numbers".
    reason: str
    #: Whether the pseudo-field `run` may take it.
    run: bool = False

    def types(self) -> tuple[str, ...]:
        """The field types that fit, sorted (read from the registry each time)."""
        return tuple(sorted(set().union(*(TYPES.with_trait(t) for t in self.traits))))

    def run_refusal(self) -> str:
        return f"{self.id} cannot be the run: the run is a handle; {self.id} {self.reason}"


@dataclass(frozen=True)
class Kind:
    """A plot kind: what the builder offers, how its data are reduced and drawn."""

    id: str
    label: str
    hint: str
    #: The roles it draws, in the builder's order; a binding to any other is refused.
    roles: tuple[str, ...]
    required: tuple[str, ...]
    #: A key of REDUCTIONS, or None: the rows are sent as they are (up to max_points).
    reduction: str | None
    #: The front end's painter module that draws it (lib/plot/painters/).
    painter: str
    #: When given, each dataset binds every role of one of these sets (a mesh's vertices
    #: dataset binds x, y, z; its faces dataset i, j, k).
    one_of: tuple[tuple[str, ...], ...] = ()
    #: The axes a spec's `scales` may set to "lin" or "log" (the 3-D kinds: x, y and z of
    #: the box).
    scales: tuple[str, ...] = ("x", "y", "x2", "y2")


class Grammar:
    """The roles and kinds by id; `register_kind` adds one (a new kind, a test's)."""

    def __init__(self, roles: Iterable[Role], kinds: Iterable[Kind]) -> None:
        self._roles = {r.id: r for r in roles}
        self._kinds: dict[str, Kind] = {}
        for kind in kinds:
            self.register_kind(kind)

    def register_kind(self, kind: Kind) -> Kind:
        if kind.id in self._kinds:
            raise ValueError(f"plot kind {kind.id!r} is registered already")
        unknown = [r for r in (*kind.roles, *kind.required) if r not in self._roles]
        if unknown:
            raise ValueError(f"plot kind {kind.id!r} names unknown roles {unknown}")
        if not set(kind.required).union(*kind.one_of) <= set(kind.roles):
            raise ValueError(f"plot kind {kind.id!r} requires roles it does not offer")
        if kind.reduction is not None and kind.reduction not in REDUCTIONS:
            raise ValueError(f"plot kind {kind.id!r} uses unknown reduction {kind.reduction!r}")
        self._kinds[kind.id] = kind
        return kind

    def unregister_kind(self, kind_id: str) -> None:
        del self._kinds[kind_id]

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(self._roles.values())

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(self._kinds.values())

    def role(self, role_id: str) -> Role:
        return self._roles[role_id]

    def kind(self, kind_id: str) -> Kind:
        return self._kinds[kind_id]

    def has_kind(self, kind_id: object) -> bool:
        # isinstance first: a list or object is unhashable.
        return isinstance(kind_id, str) and kind_id in self._kinds

    def has_role(self, role_id: object) -> bool:
        return isinstance(role_id, str) and role_id in self._roles

    def kind_names(self) -> str:
        """The kinds as a message lists them: "line, scatter"."""
        return ", ".join(self._kinds)

    def binding_problem(self, kind_id: str, role_id: str, name: str,
                        field_type: str | None) -> str | None:
        """Why field `name` (of `field_type`; None when unknown) may not take `role_id` in
        a plot of `kind_id`, or None if it may.

        The field's type is judged first: a field that fits no plot's role is the larger
        mistake. A field the store does not know passes the type rule (a saved plot may
        outlive a renamed field) but not the kind's.
        """
        role = self._roles[role_id]
        if name == RUN:
            if not role.run:
                return role.run_refusal()
        elif field_type is not None and field_type not in role.types():
            return f"{role_id} takes {' or '.join(role.types())} fields; {name!r} is {field_type}"
        kind = self._kinds[kind_id]
        if role_id in kind.roles:
            return None
        drawn_by = [k.id for k in self._kinds.values() if role_id in k.roles]
        elsewhere = (f"{', '.join(drawn_by)} plots draw it" if drawn_by
                     else f"no kind draws {role_id} yet")
        return (f"a {kind_id} plot does not draw {role_id} ({elsewhere}); a {kind_id} "
                f"plot's roles are {', '.join(kind.roles)}")

    def as_json(self) -> dict[str, Any]:
        """The table as `GET /api/info` serves it under "grammar" (docs/http-api.md)."""
        return {
            "roles": [
                {"id": r.id, "help": r.help, "traits": sorted(r.traits), "types": list(r.types()),
                 "reason": r.reason, "run": r.run}
                for r in self._roles.values()
            ],
            "kinds": [
                {"id": k.id, "label": k.label, "hint": k.hint, "roles": list(k.roles),
                 "required": list(k.required), "reduction": k.reduction, "painter": k.painter,
                 "one_of": [list(s) for s in k.one_of], "scales": list(k.scales)}
                for k in self._kinds.values()
            ],
        }


_POSITION = "is a position or amount, so it needs numbers"
_SPLIT = "splits the data by value, so it needs discrete values"
_NUMBERS = frozenset({NUMERIC})
_GROUPS = frozenset({DISCRETE})
_TEXT = frozenset({TEXTUAL})
_READ = "is shown as text, so it needs strings"
_BOX_EDGE = "is a box corner in the image's pixels, so it needs numbers"
#: The axes of a 3-D kind's box, each linear or log.
_BOX = ("x", "y", "z")

GRAMMAR = Grammar(
    roles=[
        Role("x", "horizontal position", _NUMBERS, _POSITION),
        Role("y", "vertical position", _NUMBERS, _POSITION),
        Role("z", "depth (for kinds that draw it)", _NUMBERS, _POSITION),
        Role("color", "numbers: a continuous scale; int, string, bool: categories",
             _NUMBERS | _GROUPS,
             "is a scale or a category, so it needs numbers or discrete values", run=True),
        Role("size", "point size", _NUMBERS, _POSITION),
        Role("group", "one line per value", _GROUPS, _SPLIT, run=True),
        Role("order", "the order of a line\u2019s points (default: by x)", _NUMBERS, _POSITION),
        Role("facet", "one small plot per value, in a grid", _GROUPS, _SPLIT, run=True),
        Role("frame", "a slider over its values; latest only by default", _NUMBERS, _POSITION),
        Role("t", "time or step: the axis a distribution is followed along", _NUMBERS,
             "is a step or time, so it needs numbers"),
        Role("value", "what each cell or bar aggregates (without it: the row count)",
             _NUMBERS, "is aggregated (summed, averaged), so it needs numbers"),
        Role("category", "one bar or box per value", _GROUPS,
             "names a bar or box, so it needs discrete values"),
        Role("text", "the text shown per step: plain, markdown, HTML or SVG", _TEXT, _READ),
        Role("expected", "the text it should have been: shown as a diff against text",
             _TEXT, _READ),
        Role("column", "a column of the table (without any: every field of the series)",
             _NUMBERS | _GROUPS | _TEXT | frozenset({MEDIA}),
             "is a column, so it needs a value of any field type"),
        Role("media", "the image, audio clip or video shown per step (a column per run)",
             frozenset({MEDIA}),
             "is shown as a picture or a player, so it needs an image, audio or video field"),
        Role("mask", "an image drawn over the picture as a translucent layer",
             frozenset({PIXELS}), "is drawn over a picture, so it needs an image field"),
        *(Role(r, f"a box's {what} edge, in the image's pixels (an overlay dataset)",
               _NUMBERS, _BOX_EDGE)
          for r, what in (("x0", "left"), ("y0", "top"), ("x1", "right"), ("y1", "bottom"))),
        Role("label", "a box's class: written on it, chosen in the class filter", _GROUPS,
             "names a class, so it needs discrete values"),
        Role("score", "a box's score: boxes under the threshold slider are hidden", _NUMBERS,
             "is compared with a threshold, so it needs numbers"),
        Role("join", "the fields that match an overlay's rows to an image's (default: the "
             "frame field, and index when both series have it)", _GROUPS,
             "matches rows by equal values, so it needs discrete values"),
        *(Role(r, f"an arrow's {axis} component (its length is scaled to the cell)",
               _NUMBERS, "is a component of an arrow, so it needs numbers")
          for r, axis in (("u", "x"), ("v", "y"))),
        Role("dims", "one vertical axis per field, in order (numbers: a linear axis; "
             "strings, bools: one tick per value)", _NUMBERS | _GROUPS,
             "is an axis of parallel coordinates, so it needs numbers or discrete values"),
        *(Role(r, f"a mesh face's {nth} corner: a row number (from 0) of the run's "
               "vertices dataset", _NUMBERS, "is a row number, so it needs numbers")
          for r, nth in (("i", "first"), ("j", "second"), ("k", "third"))),
    ],
    kinds=[
        Kind("line", "Line",
             "one line per run (and per group value), reduced per pixel column when long",
             ("x", "y", "color", "group", "order", "facet", "frame"), ("x", "y"),
             reduction="m4", painter="line"),
        # `group` is taken so that a spec can switch between line and scatter as it is;
        # points are drawn one by one either way.
        Kind("scatter", "Scatter", "one point per row; thinned by density past two million points",
             ("x", "y", "color", "size", "facet", "frame", "group"), ("x", "y"),
             reduction="density", painter="scatter"),
        Kind("histogram", "Histogram",
             "counts of x values in bins computed on the server; with t, a heatmap of "
             "counts per step bin and value bin (or ridgelines, or percentile bands)",
             ("x", "t", "color", "facet", "frame"), ("x",), reduction="bins", painter="rects"),
        Kind("heatmap", "Heatmap",
             "a value aggregated per (x, y) cell, as color; count per (label, prediction) "
             "is a confusion matrix", ("x", "y", "value", "facet", "frame"), ("x", "y"),
             reduction="cells", painter="rects"),
        Kind("bar", "Bar", "a value (or the row count) aggregated per category; colors "
             "stacked or side by side", ("category", "value", "color", "facet", "frame"),
             ("category",), reduction="cells", painter="rects"),
        Kind("box", "Box", "quartiles, whiskers and outliers of y per category",
             ("category", "y", "color", "facet", "frame"), ("category", "y"),
             reduction="quartiles", painter="rects"),
        Kind("stem", "Stem",
             "a vertical stem from 0 to each point, one series per run (and per group "
             "value), reduced per pixel column when long",
             ("x", "y", "color", "group", "order", "facet", "frame"), ("x", "y"),
             reduction="m4", painter="stem"),
        Kind("area", "Area (stacked)",
             "each line filled from the top of the ones before it (runs and group values "
             "stacked), reduced per pixel column when long",
             ("x", "y", "color", "group", "order", "facet", "frame"), ("x", "y"),
             reduction="m4", painter="area"),
        Kind("band", "Runs as bands",
             "runs grouped by an attribute (or all runs) as their mean and a min\u2013max or "
             "\u00b1std band, aligned on x on the server", ("x", "y", "group", "facet"),
             ("x", "y"), reduction="bands", painter="band"),
        Kind("text", "Text",
             "the text of each run at the step shown (latest by default), as plain text, "
             "markdown, sanitized HTML or an SVG image; with expected, a word diff",
             ("text", "expected", "frame", "facet"), ("text",), reduction="text",
             painter="text"),
        Kind("table", "Table",
             "the rows as a table, sorted, filtered and paged on the server; new rows "
             "appear live", ("column", "frame", "facet"), (), reduction="page",
             painter="table"),
        Kind("media", "Media",
             "the images, audio or video of each run at the step shown (latest by "
             "default), a column per run; an overlay dataset adds boxes (x0, y0, x1, y1, "
             "label, score) with a class filter and a score threshold; a mask is drawn "
             "translucent", ("media", "mask", "frame", "facet", "join", "x0", "y0", "x1",
                             "y1", "label", "score"), (), reduction="frame_rows",
             painter="media", one_of=(("media",), ("x0", "y0", "x1", "y1"))),
        Kind("scatter3d", "3-D scatter",
             "one point per row in an x, y, z box; drag to orbit, wheel to zoom, "
             "double-click to reset; thinned by 3-D density past max_points",
             ("x", "y", "z", "color", "size", "facet", "frame"), ("x", "y", "z"),
             reduction="density3d", painter="scatter3d", scales=_BOX),
        Kind("surface", "Surface",
             "z over an (x, y) grid as a shaded, color-mapped mesh; rows not on a grid are "
             "averaged per grid cell on the server", ("x", "y", "z", "facet", "frame"),
             ("x", "y", "z"), reduction="grid", painter="surface", scales=_BOX),
        Kind("contour", "Contour",
             "iso-lines of z over an (x, y) grid, levels colored on the palette (filled: "
             "bands between levels); rows not on a grid are averaged per grid cell on the "
             "server", ("x", "y", "z", "facet", "frame"), ("x", "y", "z"), reduction="grid",
             painter="contour"),
        Kind("quiver", "Quiver",
             "an arrow (u, v) at each (x, y), thinned on the server to one arrow per "
             "screen cell (the mean vector of the cell's rows)",
             ("x", "y", "u", "v", "color", "facet", "frame"), ("x", "y", "u", "v"),
             reduction="arrows", painter="quiver"),
        Kind("mesh", "Mesh",
             "triangles in 3-D: one dataset of vertices (x, y, z) and one of faces (i, j, "
             "k: vertex row numbers of the same run), drawn shaded with the orbit camera; "
             "sent whole", ("x", "y", "z", "i", "j", "k"), (), reduction=None,
             painter="mesh", one_of=(("x", "y", "z"), ("i", "j", "k")), scales=_BOX),
        Kind("parallel", "Parallel coordinates",
             "one polyline per row across an axis per dims field, colored by a field; with "
             "a per-run dataset (attr.lr, min.loss) the hyperparameter view: one line per "
             "run; drag along an axis to keep the lines in a range",
             ("dims", "color"), ("dims",), reduction=None, painter="parallel",
             scales=()),
    ],
)

