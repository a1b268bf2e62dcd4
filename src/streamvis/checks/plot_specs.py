"""Checking plot specs and dashboards (docs/plots.md) before they are stored.

One set of rules for every way in: the HTTP API (`PUT /api/plots/{name}`,
`PUT /api/dashboards/{name}`), the gRPC service (`SavePlot`, `SaveDashboard`) and
`streamvis apply` (which checks a whole file before changing anything).

The server checks the shape the browser relies on when it reads a spec back —
name, kind, datasets with a series, roles bound to names — and keeps every other
key as given, so the front end can store presentation settings (titles, palettes,
layout) without a server change. It does not check that the series and fields
exist: a saved plot may outlive a renamed field and is then shown with a message,
not refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from streamvis.checks.grammar import GRAMMAR, Kind
from streamvis.checks.json_checks import (
    expect_object,
    integer,
    number,
    parse_filter,
    parse_json,
    string_list,
)
from streamvis.checks.reduce_settings import check_reduce
from streamvis.checks.smoothing import check_smooth
from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.limits import (
    MAX_CONTOUR_LEVELS,
    MAX_DATASETS,
    MAX_FACET_COLUMNS,
    MAX_SPEC_BYTES,
)
from streamvis.model.schema import FieldType, validate_name

AXES = {"x": frozenset({"x", "x2"}), "y": frozenset({"y", "y2"})}
SCALES = frozenset({"lin", "log"})
#: A text plot's `format` (auto: the field's declared format, else plain) and `diff`.
TEXT_FORMATS = ("auto", "plain", "markdown", "html", "svg")
DIFF_VIEWS = ("inline", "side")


def _dataset(raw: object, i: int) -> dict[str, Any]:
    what = f"datasets[{i}]"
    ds = expect_object(raw, what)
    if not isinstance(ds.get("series"), str) or not ds["series"]:
        raise InvalidArgumentError(f'{what} needs "series": the name of a series')
    if "filter" in ds:
        parse_filter(ds["filter"])
    bindings = expect_object(ds.get("bindings", {}), f"{what}.bindings")
    for role, name in bindings.items():
        if not GRAMMAR.has_role(role):
            roles = ", ".join(sorted(r.id for r in GRAMMAR.roles))
            raise InvalidArgumentError(
                f"{what}.bindings has unknown role {role!r}; roles are {roles}"
            )
        names = name if isinstance(name, list) else [name]
        string_list(names, f"{what}.bindings.{role}")
    if "attributes" in ds:
        string_list(ds["attributes"], f"{what}.attributes")
    if "per_run" in ds and not isinstance(ds["per_run"], bool):
        raise InvalidArgumentError(
            f"{what}.per_run = {ds['per_run']!r}: use true (one row per run: attr.NAME, "
            "last.F, min.F, max.F, rows) or false (the series' rows)")
    axes = expect_object(ds.get("axes", {}), f"{what}.axes")
    for axis, value in axes.items():
        if axis not in AXES or not isinstance(value, str) or value not in AXES[axis]:
            raise InvalidArgumentError(
                f'{what}.axes.{axis} = {value!r}: x may be "x" or "x2", y "y" or "y2"'
            )
    return ds


def _frame(raw: object) -> None:
    frame = expect_object(raw, "frame")
    value = frame.get("value", "latest")
    if value != "latest":
        number(value, 'frame.value (a number, or "latest")')


def _facet(raw: object) -> None:
    facet = expect_object(raw, "facet")
    if "columns" in facet:
        columns = integer(facet["columns"], "facet.columns", 1)
        if columns > MAX_FACET_COLUMNS:
            raise ResourceExhaustedError(
                f"facet.columns = {columns}: at most {MAX_FACET_COLUMNS} panels per row"
            )


def _settings(spec: Mapping[str, Any], kind: Kind) -> None:
    """The optional settings of a spec besides its datasets and scales."""
    if "frame" in spec:
        _frame(spec["frame"])
    if "reduce" in spec:
        check_reduce(spec["reduce"])
    if "facet" in spec:
        _facet(spec["facet"])
    if "smooth" in spec:
        check_smooth(spec["smooth"], kind)
    if "levels" in spec:
        levels = integer(spec["levels"], "levels (the contour's iso-lines)", 1)
        if levels > MAX_CONTOUR_LEVELS:
            raise ResourceExhaustedError(
                f"levels = {levels}: a contour draws at most {MAX_CONTOUR_LEVELS} levels")
    if "filled" in spec and not isinstance(spec["filled"], bool):
        raise InvalidArgumentError(
            f"filled = {spec['filled']!r}: use true (bands between levels) or false (lines)")
    for key, allowed in (("format", TEXT_FORMATS), ("diff", DIFF_VIEWS)):
        if key in spec and spec[key] not in allowed:
            raise InvalidArgumentError(
                f"{key} = {spec[key]!r}: use one of {', '.join(allowed)}")
    if "y_range" in spec and spec["y_range"] not in Y_RANGES:
        raise InvalidArgumentError(
            f"y_range = {spec['y_range']!r}: use one of {', '.join(map(repr, Y_RANGES))} "
            "(robust follows the 1st to 99th percentile, docs/plots.md)"
        )


#: The y ranges a plot can follow (frontend/src/lib/plot/robustRange.ts draws them).
Y_RANGES = ("auto", "robust", "full")


class Typed(Protocol):
    """A field as far as the role rules care: its name and type (Field, or a declared one)."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> FieldType: ...


def check_binding_types(spec: dict[str, object], fields: Iterable[Typed]) -> None:
    """Refuse a spec (checked by `check_plot_spec`) that binds a field to a role its type
    does not fit, or to a role its kind does not draw (the grammar's `binding_problem`).

    Fields the store does not know pass the type rule (a saved plot may outlive a
    field); the plot then shows a message for them.
    """
    types = {f.name: str(f.type) for f in fields}
    kind = str(spec["kind"])
    datasets = spec.get("datasets")
    for i, ds in enumerate(datasets if isinstance(datasets, list) else []):
        for role, value in dict(ds.get("bindings", {})).items():
            for name in value if isinstance(value, list) else [value]:
                problem = GRAMMAR.binding_problem(kind, role, name, types.get(name))
                if problem:
                    raise InvalidArgumentError(f"datasets[{i}].bindings.{role}: {problem}")


def check_plot_spec(raw: object, name: str) -> dict[str, Any]:
    """The spec to store under `name`; raises InvalidArgumentError saying what is wrong."""
    validate_name("plot", name)
    spec = expect_object(raw, "the plot spec")
    given = spec.get("name", name)
    if given != name:
        raise InvalidArgumentError(
            f"the plot spec is named {given!r} but was sent to be saved as {name!r}: make "
            "them the same (to rename a plot, save it under the new name and delete the old one)"
        )
    spec = {**spec, "name": name}
    if not GRAMMAR.has_kind(spec.get("kind")):
        raise InvalidArgumentError(
            f"plot kind {spec.get('kind')!r} is not one of {GRAMMAR.kind_names()}"
        )
    kind = GRAMMAR.kind(spec["kind"])
    datasets = spec.get("datasets")
    if not isinstance(datasets, list) or not datasets:
        raise InvalidArgumentError('a plot spec needs "datasets": a non-empty array')
    if len(datasets) > MAX_DATASETS:
        raise ResourceExhaustedError(
            f"a plot spec has {len(datasets)} datasets; at most {MAX_DATASETS} share a plot"
        )
    for i, ds in enumerate(datasets):
        bound = _dataset(ds, i).get("bindings", {})
        missing = [r for r in kind.required if not bound.get(r)]
        if missing:
            raise InvalidArgumentError(
                f"datasets[{i}]: a {kind.id} plot needs a field bound to "
                f"{' and '.join(missing)}"
            )
        if kind.one_of and not any(all(bound.get(r) for r in s) for s in kind.one_of):
            sets = " or ".join(", ".join(s) for s in kind.one_of)
            raise InvalidArgumentError(
                f"datasets[{i}]: each dataset of a {kind.id} plot binds fields to {sets}")
    scales = expect_object(spec.get("scales", {}), "scales")
    for axis, scale in scales.items():
        if not isinstance(scale, str) or scale not in SCALES:
            raise InvalidArgumentError(f'scales.{axis} = {scale!r}: use "lin" or "log"')
        if axis not in kind.scales:
            raise InvalidArgumentError(
                f"scales.{axis}: a {kind.id} plot's axes are {', '.join(kind.scales)}")
    _settings(spec, kind)
    check_spec_size(spec_json(spec, name), name)
    return spec


def check_dashboard(name: str, spec: object) -> dict[str, Any]:
    """The dashboard to store under `name`; raises InvalidArgumentError saying what is wrong.

    A dashboard is the query string of a dashboard URL (`rows=A,B;C&height=2,1`), kept
    with the names of the plots it lays out, so a list can say what each one shows
    without parsing it. The plots need not exist: like a binding to an unknown field,
    the page shows a message for a missing one.
    """
    validate_name("dashboard", name)
    if not isinstance(spec, dict):
        raise InvalidArgumentError(
            f"dashboard {name!r} must be a JSON object, got {type(spec).__name__}"
        )
    given = spec.get("name", name)
    if given != name:
        raise InvalidArgumentError(
            f"the dashboard is named {given!r} but is saved as {name!r}: make them the same"
        )
    layout = spec.get("layout")
    if not isinstance(layout, str) or not layout.startswith(("rows=", "cols=")):
        raise InvalidArgumentError(
            f'dashboard {name!r} needs "layout": a URL layout such as '
            '"rows=loss,accuracy;lr&height=2,1" (starting with rows= or cols=)'
        )
    plots = spec.get("plots", [])
    if not isinstance(plots, list) or not all(isinstance(p, str) and p for p in plots):
        raise InvalidArgumentError(
            f'dashboard {name!r}: "plots" must be an array of plot names'
        )
    out = {**spec, "name": name, "plots": plots}
    check_spec_size(spec_json(out, name, "dashboard"), name, "dashboard")
    return out


def check_spec_size(text: str, name: str, what: str = "plot spec") -> None:
    """Refuse (RESOURCE_EXHAUSTED) a plot spec or dashboard whose stored JSON `text` is
    over MAX_SPEC_BYTES: one rule for both, wherever they come from."""
    size = len(text.encode())
    if size > MAX_SPEC_BYTES:
        raise ResourceExhaustedError(
            f"{what} {name!r} is {size} bytes of JSON; at most {MAX_SPEC_BYTES} are stored: "
            "keep long text elsewhere and link to it"
        )


def spec_json(spec: Mapping[str, Any], name: str, what: str = "plot spec") -> str:
    """A spec (or, `what`="dashboard", a dashboard) as the JSON text the gRPC service
    carries (keys sorted, so equal specs match)."""
    try:
        return json.dumps(spec, separators=(",", ":"), allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"{what} {name!r} cannot be stored as JSON: it is not JSON ({exc}); use only "
            "objects, arrays, strings, finite numbers, booleans and null"
        ) from None


def spec_from_json(text: str, name: str, what: str = "plot spec") -> object:
    """The JSON value of a spec's text (checked by `check_plot_spec` or `check_dashboard`
    afterwards)."""
    value: object = parse_json(text, f"{what} {name!r}", "a JSON object")
    return value
