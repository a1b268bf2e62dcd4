"""What the `streamvis` commands print: a readable table, or JSON with `--json`.

The JSON shapes are the scripting interface and stay stable; the tables are for
people and may change.
"""

from __future__ import annotations

import argparse
import decimal
import json
import math
import re
from collections.abc import Sequence
from typing import Any

from streamvis.checks.filter_text import format_time
from streamvis.model.capture import ATTRIBUTES as CAPTURED
from streamvis.model.media import ENCODINGS
from streamvis.model.schema import Field, Run, Series

#: Six significant digits, ties away from zero: what JavaScript's toPrecision(6) and
#: toExponential(5) do with the exact value of a float64.
_SIX_DIGITS = decimal.Context(prec=6, rounding=decimal.ROUND_HALF_UP)
_MILLI = decimal.Decimal("0.001")


def _trim_zeros(text: str) -> str:
    return re.sub(r"\.?0+$", "", text) if "." in text and "e" not in text else text


def format_number(value: float) -> str:
    """A number as the web UI's tables show it (formatValue in frontend/src/lib/plot/
    format.ts; the rule is in docs/concepts.md): integers exactly, others to six
    significant digits, so 0.001 * 9 reads 0.009, not 0.009000000000000001. `--json`
    gives the full value. Both pass the cases in formatValue.cases.json.
    """
    if isinstance(value, int):  # an int field's value: exact at any size
        return str(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    exact = decimal.Decimal(value)
    if abs(value) < 1e-4 or abs(value) >= 1e12:
        text = f"{_SIX_DIGITS.plus(exact):.5e}"
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent):+d}"  # JavaScript's exponent: e-7, e+16
        return re.sub(r"\.?0+e", "e", text, count=1)
    if abs(value) >= 1e5:  # large non-integers (times with fractions): 3 decimals
        return _trim_zeros(f"{exact.quantize(_MILLI, rounding=decimal.ROUND_HALF_UP):f}")
    return _trim_zeros(f"{_SIX_DIGITS.plus(exact):f}")


def format_value(value: object) -> str:
    """An attribute value in a table, as the web UI shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def field_json(f: Field) -> dict[str, Any]:
    return {"name": f.name, "type": f.type.value, "description": f.description,
            "handle": str(f.handle)}


def series_json(s: Series) -> dict[str, Any]:
    return {"name": s.name, "fields": list(s.fields), **({"x": s.x} if s.x else {})}


def run_json(r: Run) -> dict[str, Any]:
    return {"handle": str(r.handle), "started_at": r.started_at, "tags": list(r.tags),
            "attributes": dict(r.attributes)}


def show_fields(fields: Sequence[Field], args: argparse.Namespace) -> str:
    if args.json:
        return json.dumps([field_json(f) for f in fields], indent=2)
    return table(["NAME", "TYPE", "DESCRIPTION"],
                 [(f.name, _type_text(f), f.description) for f in fields])


def _type_text(f: Field) -> str:
    """The type, with the options that are not the defaults: `string (markdown)`,
    `image (jpeg, quality 90)`."""
    o = f.options
    shown = [o.format] if o.format not in ("", "plain") else []
    if o.encoding and o.encoding != next(iter(ENCODINGS.get(f.type.row.media, {"": ""}))):
        shown.append(o.encoding)
    if o.quality:
        shown.append(f"quality {o.quality}")
    if o.fps:
        shown.append(f"{o.fps:g} fps")
    return f"{f.type.value} ({', '.join(shown)})" if shown else f.type.value


def show_series(series: Sequence[Series], args: argparse.Namespace) -> str:
    if args.json:
        return json.dumps([series_json(s) for s in series], indent=2)
    return table(["NAME", "FIELDS", "X"],
                 [(s.name, ", ".join(s.fields), s.x or "") for s in series])


def shown_attribute(name: str, chosen: Sequence[str] | None) -> bool:
    """Whether `streamvis runs` shows attribute `name`: those `--attributes` names (a
    name ending in "." takes every attribute it begins), else every one but what the
    logger captured by itself (command, git, environment: `streamvis run` shows those)."""
    if chosen is None:
        return name not in CAPTURED
    return any(name == c or (c.endswith(".") and name.startswith(c)) for c in chosen)


def show_runs(runs: Sequence[Run], args: argparse.Namespace) -> str:
    if args.json:
        return json.dumps([run_json(r) for r in runs], indent=2)
    chosen = getattr(args, "attributes", None)
    rows = [
        (r.handle, format_time(r.started_at), ",".join(r.tags),
         " ".join(f"{k}={format_value(v)}" for k, v in sorted(r.attributes.items())
                  if shown_attribute(k, chosen)))
        for r in runs
    ]
    return table(["HANDLE", "STARTED_AT (UTC)", "TAGS", "ATTRIBUTES"], rows)


def show_saved(
    plots: Sequence[dict[str, Any]], dashboards: Sequence[dict[str, Any]],
    args: argparse.Namespace,
) -> str:
    """Saved plots, then saved dashboards: two tables, or one JSON object with both."""
    if args.json:
        return json.dumps({"plots": list(plots), "dashboards": list(dashboards)}, indent=2)
    plot_rows = [
        (s.get("name", ""), s.get("kind", ""),
         ", ".join(str(ds.get("series")) for ds in s.get("datasets", [])), s.get("title", ""))
        for s in plots
    ]
    board_rows = [
        (d.get("name", ""), d.get("layout", ""), ", ".join(map(str, d.get("plots", []))))
        for d in dashboards
    ]
    # The second table's first heading says what it lists, since both are of names.
    return (table(["NAME", "KIND", "SERIES", "TITLE"], plot_rows) + "\n\n"
            + table(["DASHBOARD", "LAYOUT", "PLOTS"], board_rows))
