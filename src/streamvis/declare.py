"""Declaring fields, series, plots and dashboards idempotently: `streamvis apply` and its
Python twin.

A declaration names the fields and series a program needs, the plots its dashboards
draw and the dashboards that lay them out. Applying it creates what is missing,
updates descriptions, plot specs and dashboards that changed, and leaves the rest
alone, so applying it twice changes nothing. A redefinition that the data model
forbids (a field's type, a series' field set), or a plot spec or dashboard the server
would refuse (plot_specs: shape, role types), is refused as a whole before anything is
changed, with a message that says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from streamvis.checks.plot_specs import (
    Typed,
    check_binding_types,
    check_dashboard,
    check_plot_spec,
    spec_from_json,
    spec_json,
)
from streamvis.client import Client
from streamvis.model.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    UnimplementedError,
)
from streamvis.model.limits import MAX_FIELDS_PER_CREATE
from streamvis.model.media import NO_OPTIONS, FieldOptions, check_options
from streamvis.model.schema import (
    Field,
    FieldType,
    NewField,
    Series,
    can_be_x,
    check_series_x,
    dedupe,
    describe_x,
    validate_name,
    x_types,
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    description: str = ""
    options: FieldOptions = NO_OPTIONS  # checked, with the type's defaults


@dataclass(frozen=True)
class SeriesSpec:
    name: str
    fields: tuple[str, ...]
    x: str | None = None  # the field it is drawn against (None: its first int field)


@dataclass
class Declaration:
    fields: list[FieldSpec] = field(default_factory=list)
    series: list[SeriesSpec] = field(default_factory=list)
    #: Plot specs by name, already checked (plot_specs.check_plot_spec), in file order.
    plots: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Dashboards by name, already checked (plot_specs.check_dashboard), in file order.
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ApplyReport:
    """What applying a declaration did, one line per change."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise InvalidArgumentError(f"{where} has no {key!r}: add it")
    return mapping[key]


def _named(raw: object, source: str, key: str, what: str) -> list[Mapping[str, Any]]:
    """A `key:` section as a list of mappings that each have a name (`what` says what
    each one is). The section may be a mapping name -> item, or such a list."""
    if isinstance(raw, Mapping):
        for k, v in raw.items():
            if isinstance(v, Mapping) and v.get("name", k) != k:
                raise InvalidArgumentError(
                    f"{source}: {key}.{k} is named {v['name']!r}: make the two the same, "
                    "or leave the name out"
                )
        raw = [{**v, "name": k} if isinstance(v, Mapping) else v for k, v in raw.items()]
    if not isinstance(raw, list):
        raise InvalidArgumentError(f"{source}: {key} must be a mapping name -> {what}, or a list")
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(f"{source}: {key}[{i}] must be a mapping (a {what})")
    return raw


def _saved(
    raw: object, source: str, key: str, what: str,
    check: Callable[[object, str], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """plots: or dashboards:, a mapping name -> item or a list of items with a name each;
    `what` is "plot spec" or "dashboard", `check` the server's check of one item."""
    kind = what.split(maxsplit=1)[0]
    items: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(_named(raw, source, key, what)):
        where = f"{source}: {key}[{i}]"
        name = validate_name(kind, str(_require(item, "name", where)))
        try:
            # Through JSON and back, as the server will store it: YAML-only values (dates,
            # sets) are refused here, and the item compares equal to the stored one.
            checked = check(spec_from_json(spec_json(item, name, what), name, what), name)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"{where} ({name}): {exc}") from None
        if name in items:
            raise InvalidArgumentError(f"{source}: {kind} {name!r} is declared twice")
        items[name] = checked
    return items


def parse_declaration(data: object, source: str = "declaration") -> Declaration:
    """Read the `fields:`, `series:`, `plots:` and `dashboards:` parts of a schema
    document (parsed YAML).

    fields: a list of {name, type, description?}, or a mapping name -> type or
    name -> {type, description}. series: a list of {name, fields: [...], x?}, or a
    mapping name -> [fields] or name -> {fields: [...], x?} (x: the int or float
    field it is drawn against). plots: a mapping name -> plot spec (docs/plots.md), or a
    list of specs with a name each. dashboards: a mapping name -> {layout: "rows=...",
    plots: [names], ...}, or a list of those with a name each.
    """
    if data is None:
        return Declaration()
    if not isinstance(data, Mapping):
        raise InvalidArgumentError(
            f"{source} must be a mapping with 'fields', 'series', 'plots' and/or 'dashboards'"
        )
    decl = Declaration()
    raw_fields = data.get("fields") or []
    if isinstance(raw_fields, Mapping):
        raw_fields = [
            {"name": k, **(v if isinstance(v, Mapping) else {"type": v})}
            for k, v in raw_fields.items()
        ]
    for i, item in enumerate(raw_fields):
        where = f"{source}: fields[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(f"{where} must be a mapping with name and type")
        name = validate_name("field", str(_require(item, "name", where)))
        ftype = FieldType.parse(str(_require(item, "type", where)))
        raw_options = item.get("options") or {}
        if not isinstance(raw_options, Mapping):
            raise InvalidArgumentError(
                f"{where}: options must be a mapping, like {{format: markdown}}"
            )
        try:
            options = check_options(ftype.value, ftype.row.media, ftype.row.options, raw_options)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"{where}: {exc}") from None
        decl.fields.append(FieldSpec(
            name=name, type=ftype, description=str(item.get("description", "") or ""),
            options=options,
        ))
    raw_series = data.get("series") or []
    if isinstance(raw_series, Mapping):
        raw_series = [{"name": k, **(v if isinstance(v, Mapping) else {"fields": v})}
                      for k, v in raw_series.items()]
    for i, item in enumerate(raw_series):
        where = f"{source}: series[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(f"{where} must be a mapping with name and fields")
        name = validate_name("series", str(_require(item, "name", where)))
        names = _require(item, "fields", where)
        if not isinstance(names, Sequence) or isinstance(names, str) or not names:
            raise InvalidArgumentError(f"{where} ({name}): fields must be a non-empty list")
        fields = dedupe([str(n) for n in names], "field")
        raw_x = item.get("x")
        try:
            x = check_series_x(name, fields, None if raw_x is None else str(raw_x))
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"{where}: {exc}") from None
        decl.series.append(SeriesSpec(name, fields, x))
    decl.plots = _saved(data.get("plots") or [], source, "plots", "plot spec", check_plot_spec)
    decl.dashboards = _saved(data.get("dashboards") or [], source, "dashboards", "dashboard",
                             lambda board, name: check_dashboard(name, board))
    dedupe([f.name for f in decl.fields], f"{source}: field")
    dedupe([s.name for s in decl.series], f"{source}: series")
    return decl


def load_declaration(path: str | Path) -> Declaration:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidArgumentError(f"cannot read schema file {p}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidArgumentError(f"schema file {p} is not valid YAML: {exc}") from None
    return parse_declaration(data, str(p))


def find_conflicts(
    decl: Declaration, existing_fields: Mapping[str, Field],
    existing_series: Mapping[str, Series], existing_plots: Collection[str] = (),
) -> list[str]:
    """What in `decl` contradicts the server's fields, series and plots, one sentence each."""
    conflicts: list[str] = []
    for spec in decl.fields:
        have = existing_fields.get(spec.name)
        if have is not None and have.type is not spec.type:
            conflicts.append(
                f"field {spec.name!r} is {have.type.value} on the server but declared "
                f"{spec.type.value} (a field's type never changes: use a new field name)"
            )
        # A server older than field options reports none: nothing to compare.
        elif have is not None and have.options not in (spec.options, NO_OPTIONS):
            conflicts.append(
                f"field {spec.name!r} has options {have.options.to_json()} on the server but "
                f"is declared with {spec.options.to_json()} (a field's options never change: "
                "use a new field name)"
            )
    declared = {f.name for f in decl.fields} | set(existing_fields)
    for s in decl.series:
        unknown = [n for n in s.fields if n not in declared]
        if unknown:
            conflicts.append(
                f"series {s.name!r} uses undeclared field(s) {', '.join(unknown)}: declare them"
            )
        have_s = existing_series.get(s.name)
        if have_s is not None and not have_s.is_declared_by(s.fields, s.x):
            conflicts.append(
                f"series {s.name!r} has fields ({', '.join(have_s.fields)}) and "
                f"{describe_x(have_s.x)} on the server but is declared with "
                f"({', '.join(s.fields)}) and {describe_x(s.x)}; a series never changes: "
                "use a new series name"
            )
        x_spec = next((f for f in decl.fields if f.name == s.x), None)
        x_type = x_spec.type if x_spec else getattr(existing_fields.get(s.x or ""), "type", None)
        if x_type is not None and not can_be_x(x_type):
            conflicts.append(
                f"series {s.name!r} names {s.x!r} as its x, a {x_type.value} field: name "
                f"an {x_types()} field (a step, a time)"
            )
    # A declared field not yet on the server has its declared type (a differing type
    # on the server is a conflict above already).
    types: list[Typed] = [*existing_fields.values(), *decl.fields]
    for name, plot in decl.plots.items():
        try:
            check_binding_types(plot, types)
        except InvalidArgumentError as exc:
            conflicts.append(f"plot {name!r}: {exc}")
    # The server keeps a dashboard whose plot is missing (the page says so), but in a
    # file it is most likely a typo, caught here before anything is written.
    known_plots = set(decl.plots) | set(existing_plots)
    for name, board in decl.dashboards.items():
        missing = [p for p in board["plots"] if p not in known_plots]
        if missing:
            conflicts.append(
                f"dashboard {name!r} shows plot(s) {', '.join(missing)} that are neither "
                "declared under plots: nor saved on the server: declare them, or fix the names"
            )
    return conflicts


def apply_declaration(client: Client, decl: Declaration) -> ApplyReport:
    """Bring the server in line with `decl`; all conflicts are found before any change."""
    existing_fields = {f.name: f for f in client.fields()}
    # Only a declaration of series asks for them: a config's or a capture's new fields
    # (the logger's most frequent declarations) skip that round trip.
    existing_series = {s.name: s for s in client.series()} if decl.series else {}
    existing_plots = client.plots() if decl.plots or decl.dashboards else []
    conflicts = find_conflicts(decl, existing_fields, existing_series,
                               [str(p.get("name")) for p in existing_plots])
    if conflicts:
        raise FailedPreconditionError("; ".join(conflicts))

    report = ApplyReport()
    _apply_fields(client, decl.fields, existing_fields, report)
    for s in decl.series:
        if s.name in existing_series:
            report.unchanged.append(f"series {s.name}")
        elif _create_series(client, s):
            report.created.append(f"series {s.name} ({', '.join(s.fields)})")
        else:
            report.unchanged.append(f"series {s.name}")
    if decl.plots:
        _apply_saved(report, "plot", decl.plots, existing_plots, save=client.save_plot,
                     summary=_plot_summary)
    # After the plots, so that a dashboard never names a plot this file has yet to save.
    if decl.dashboards:
        _apply_saved(report, "dashboard", decl.dashboards, client.dashboards(),
                     save=client.save_dashboard, summary=lambda board: str(board["layout"]))
    return report


# Loggers that start together (a sweep's runs, several processes) declare the same fields
# and series at the same moment: a create that finds the name taken since the listing
# takes what the other client made when it agrees, and is a conflict when it does not.


def _apply_fields(client: Client, specs: list[FieldSpec], existing: dict[str, Field],
                  report: ApplyReport) -> None:
    created = _create_missing(client, [f for f in specs if f.name not in existing])
    for spec in specs:
        have = existing.get(spec.name)
        if have is None and spec.name in created:
            report.created.append(f"field {spec.name} ({spec.type.value})")
            continue
        if have is None:
            have = _create_field(client, spec)
            if have is None:
                report.created.append(f"field {spec.name} ({spec.type.value})")
                continue
        if spec.description and have.description != spec.description:
            client.update_field(spec.name, description=spec.description)
            report.updated.append(f"field {spec.name}: description")
        else:
            report.unchanged.append(f"field {spec.name}")


def _create_missing(client: Client, specs: list[FieldSpec]) -> set[str]:
    """The names of the fields of `specs` created in batches, one transaction each; from
    a batch with a name taken meanwhile, or on a server without CreateFields, the rest
    are created one at a time (apply_declaration), each taking what another client
    made."""
    created: set[str] = set()
    for i in range(0, len(specs), MAX_FIELDS_PER_CREATE):
        batch = [NewField(s.name, s.type, s.description, s.options)
                 for s in specs[i:i + MAX_FIELDS_PER_CREATE]]
        try:
            created.update(f.name for f in client.create_fields(batch))
        except (AlreadyExistsError, UnimplementedError):
            break
    return created


def _create_field(client: Client, spec: FieldSpec) -> Field | None:
    """Create a declared field: None when created, else the agreeing field another client
    made since the listing."""
    try:
        client.create_field(spec.name, spec.type, spec.description, spec.options)
    except AlreadyExistsError:
        have = {f.name: f for f in client.fields()}[spec.name]
        if have.type is not spec.type:
            raise FailedPreconditionError(
                f"field {spec.name!r} was just created as {have.type.value} by another "
                f"client, but declared {spec.type.value} here: rename one of them"
            ) from None
        return have
    return None


def _create_series(client: Client, s: SeriesSpec) -> bool:
    """Create a declared series: True when created, False when another client made the
    same series since the listing."""
    try:
        client.create_series(s.name, s.fields, s.x)
    except AlreadyExistsError:
        made = {x.name: x for x in client.series()}[s.name]
        if not made.is_declared_by(s.fields, s.x):
            raise FailedPreconditionError(
                f"series {s.name!r} was just created with fields {', '.join(made.fields)} "
                f"and {describe_x(made.x)} by another client, but declared with "
                f"{', '.join(s.fields)} and {describe_x(s.x)} here: rename one of them"
            ) from None
        return False
    return True


def _plot_summary(plot: Mapping[str, Any]) -> str:
    series = ", ".join(str(ds.get("series")) for ds in plot["datasets"])
    return f"{plot['kind']} of {series}"


def _apply_saved(
    report: ApplyReport, what: str, declared: Mapping[str, dict[str, Any]],
    existing: Sequence[Mapping[str, Any]], *, save: Callable[[str, dict[str, Any]], object],
    summary: Callable[[dict[str, Any]], str],
) -> None:
    """Save each declared plot or dashboard that differs from the one stored by its name."""
    stored = {str(x.get("name")): x for x in existing}
    for name, item in declared.items():
        have = stored.get(name)
        if have == item:
            report.unchanged.append(f"{what} {name}")
            continue
        save(name, item)
        if have is None:
            report.created.append(f"{what} {name} ({summary(item)})")
        else:
            report.updated.append(f"{what} {name}")
