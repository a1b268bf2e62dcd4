"""Run listings as JSON text kept beside each run (the web app's /api/runs).

Listing every match of a filter at 100,000 runs spent its time in Python, once per row:
a runs row, three tags and four attributes per run each fetched as a tuple, a UUID
parsed, a value converted, a `Run` built, then encoded again (≈ 30 µs a run; 200 ms
for 6,000 matches, 900 ms for 30,000). Building the JSON in SQL from the tags and
attributes still cost ≈ 18 µs a run (SQLite). So each run keeps its JSON object in
`runs.listing` (migration 12), written with the run and rewritten by every change to
its tags or attributes and by a field's rename; a listing fetches one string per run
and joins them (≈ 3 µs a run; decision 0031). A run whose `listing` is NULL has its
object built in SQL as it is read.

Each run's text is what the web app's JSON encoder gives for a `Run`: keys `handle`,
`started_at`, `tags` (sorted) and `attributes` (sorted by name; NaN and infinities as
null). A float is written with the fewest digits that read back as the same double
(orjson's, in SQLite through a function of ours; PostgreSQL's shortest form), so it
reads back identical.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson

from streamvis.model.schema import Run
from streamvis.store.dialect import Dialect, Session, one_of
from streamvis.store.filters import VALUE_INDEX


@dataclass(frozen=True)
class JsonDialect:
    """How one database writes a JSON fragment as text."""

    #: A text value (or UUID) as a JSON string.
    quote: str
    #: A finite double as a JSON number that reads back as the same double; NULL and
    #: infinities as `null`.
    number: str
    #: An integer as a JSON number.
    integer: str
    #: `{expr}` of each row, in `{order}`, joined by commas (an ordered aggregate).
    joined: str

    def value(self, column: str) -> str:
        """A run_attributes row's value as JSON text, read from its value column."""
        return self.value_templates[column].format(v=f"a.{column}")

    @property
    def value_templates(self) -> Mapping[str, str]:
        return {
            "v_int": self.integer,
            "v_float": self.number,
            "v_str": self.quote,
            "v_bool": "CASE WHEN {v} THEN 'true' ELSE 'false' END",
        }


#: The SQL function (registered on each SQLite connection, store/sqlite.py) that
#: spells a double as JSON: SQLite's printf spells the 17th digit wrongly at the
#: extremes (1.7976931348623155e308 for the largest double).
JSON_NUMBER_SQL = "streamvis_json_number"


def json_number(value: float | None) -> str:
    """A double (or NULL, a stored NaN) as the JSON the web app sends for it."""
    return "null" if value is None else orjson.dumps(value).decode()


JSON_DIALECTS: Mapping[str, JsonDialect] = {
    "sqlite": JsonDialect(
        quote="json_quote({v})",
        number=JSON_NUMBER_SQL + "({v})",
        integer="CAST({v} AS TEXT)",
        # group_concat keeps the order of the subquery it reads.
        joined="(SELECT group_concat(j, ',') FROM (SELECT {expr} AS j FROM {source} "
               "ORDER BY {order}))",
    ),
    "postgresql": JsonDialect(
        quote="to_json({v})::text",
        # A whole double gets its ".0", as orjson writes it, so it reads back a float.
        number=(
            "CASE WHEN {v} IS NULL OR {v} IN ('Infinity'::float8, '-Infinity'::float8, "
            "'NaN'::float8) THEN 'null' WHEN {v}::text ~ '^[-0-9]+$' THEN {v}::text || '.0' "
            "ELSE {v}::text END"
        ),
        integer="{v}::text",
        joined="(SELECT string_agg({expr}, ',' ORDER BY {order}) FROM {source})",
    ),
}


def run_json_sql(d: JsonDialect) -> str:
    """The SQL expression of one `runs r` row's JSON object, as text."""
    value = "CASE " + " ".join(
        f"WHEN a.{c} IS NOT NULL THEN {d.value(c)}"
        for c in sorted(VALUE_INDEX, key=VALUE_INDEX.__getitem__)
    ) + " ELSE 'null' END"
    tags = d.joined.format(expr=d.quote.format(v="t.tag"),
                           source="run_tags t WHERE t.run_id = r.id", order="t.tag")
    attrs = d.joined.format(
        expr=f"{d.quote.format(v='f.name')} || ':' || {value}",
        source="run_attributes a JOIN fields f ON f.id = a.field_id WHERE a.run_id = r.id",
        order="f.name")
    return (
        f"""'{{"handle":' || {d.quote.format(v='r.handle')} || ',"started_at":' || """
        f"""{d.number.format(v='r.started_at')} || ',"tags":[' || COALESCE({tags}, '') || """
        f"""'],"attributes":{{' || COALESCE({attrs}, '') || '}}}}'"""
    )


SQL = {name: run_json_sql(d) for name, d in JSON_DIALECTS.items()}


def listing_json(run: Run) -> str:
    """A run's JSON object as `run_json_sql` writes it (floats may be spelled apart)."""
    return orjson.dumps({
        "handle": run.handle, "started_at": run.started_at, "tags": sorted(run.tags),
        "attributes": dict(sorted(run.attributes.items())),
    }).decode()


def set_listing(s: Session, run_id: int, run: Run) -> None:
    """Keep `run`, just changed, as its listing's JSON."""
    s.run("UPDATE runs SET listing = ? WHERE id = ?", (listing_json(run), run_id))


def rebuild_listings(s: Session, where: str = "", params: Sequence[object] = ()) -> None:
    """Write the listing JSON of the runs `where` (a condition on `runs r`; all if
    empty) from their tags and attributes, in SQL."""
    cond = f" WHERE {where}" if where else ""
    s.run(f"UPDATE runs AS r SET listing = {SQL[s.dialect.name]}{cond}", params)


def page_sql(dialect: Dialect, ids: Sequence[int]) -> tuple[str, tuple[object, ...]]:
    """The SQL and parameters that read the listing JSON of the runs `ids` (built
    where a run has none kept)."""
    cond, params = one_of(dialect, "r.id", ids)
    return f"SELECT r.id, COALESCE(r.listing, {SQL[dialect.name]}) FROM runs r WHERE {cond}", params
