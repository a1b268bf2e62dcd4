"""The run search page's reads: one sorted page of the matches at any depth, and the
counts its filter panel shows (decision 0037).

At 100,000 runs the page cannot hold every run to show its first screen (11 to 40 s to
load when it did), so the database filters, counts, sorts and pages, and the page asks
for the rows in view. `search_runs_json` takes a `RunFilter` plus the page's free text
(a handle prefix, or part of a tag, any case), a sort key (started_at, handle, or an
attribute, runs without it last either way) and an offset: the table jumps to any
scroll position, so a page is addressed by its position, not by a keyset token; deep
offsets cost a walk of the index, a few ms per 10,000 runs skipped. Each run comes as
its kept JSON (store/run_listing.py).

`run_facets` gives what the filter panel shows beside its controls: each tag's count
among the matches; per attribute field, its values' counts among the runs that pass
every other part of the filter (what checking a value would add), where the field has
at most MAX_FACET_VALUES distinct values; and, on request, each numeric field's sorted
distinct values (at most MAX_FACET_VALUES of them, evenly picked, min and max kept) for
its range slider.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.limits import MAX_FACET_VALUES, MAX_RUNS_PER_PAGE
from streamvis.model.schema import RunFacets, RunFilter, RunJsonPage, Value
from streamvis.model.types import NUMERIC
from streamvis.store.core import SqlCore
from streamvis.store.dialect import Session, ident, one_of
from streamvis.store.filters import (
    VALUE_INDEX,
    FieldRow,
    IdSet,
    Where,
    value_from_row,
    value_sort_key,
)
from streamvis.store.run_listing import page_sql

#: The sort keys that are columns of `runs`; any other names an attribute field.
_RUN_COLUMNS = {"started_at": "r.started_at", "handle": "r.handle"}


def _value(row: FieldRow, stored: object) -> Value:
    """The value of one stored value column of the field's type."""
    columns: list[object] = [None] * len(VALUE_INDEX)
    columns[VALUE_INDEX[row.field.type.row.value_column]] = stored
    return value_from_row(row.field.type, columns)


def _pick(values: list[Value], most: int) -> list[Value]:
    """At most `most` of the sorted `values`, evenly spaced, first and last kept."""
    if len(values) <= most:
        return values
    step = (len(values) - 1) / (most - 1)
    return [values[round(i * step)] for i in range(most)]


class RunSearchMethods(SqlCore):
    """`search_runs_json` and `run_facets`."""

    def _search_where(self, s: Session, run_filter: RunFilter, text: str) -> Where:
        where = self._where(s, run_filter)
        if not isinstance(text, str):
            raise InvalidArgumentError(f"search text must be a string, got {type(text).__name__}")
        text = text.strip().lower()
        if not text:
            return where
        # The tags that contain the text, found among the distinct tags first: LIKE over
        # every run's tags cost 130 ms at 100,000 runs.
        tags = [t for t in _distinct_tags(s) if text in t.lower()]
        parts: list[str] = []
        params: list[object] = []
        bounds = _handle_bounds(text)
        if bounds is not None:
            # A seek of the handle index; a text that cannot begin a handle (most
            # typed words) adds no condition: LIKE over every handle cost 12 ms, and
            # with the tags' OR kept the count from using their index (54 ms, not 7).
            parts.append("r.handle BETWEEN ? AND ?")
            params.extend(bounds)
        if tags:
            among = one_of(self.dialect, "tag", tags)
            ids = IdSet(f"SELECT run_id FROM run_tags WHERE {among[0]}", among[1],
                        unique=len(tags) == 1)
            if not parts:
                return where.and_in(ids)
            parts.append(f"r.id IN ({ids.sql})")
            params.extend(ids.params)
        return where.and_(f"({' OR '.join(parts) or '1 = 0'})", params)

    def search_runs_json(
        self, run_filter: RunFilter, text: str = "", *, sort: str = "started_at",
        descending: bool = True, offset: int = 0, limit: int = 100,
    ) -> RunJsonPage:
        for name, v in (("offset", offset), ("limit", limit)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InvalidArgumentError(f"{name} must be a whole number ≥ 0, got {v!r}")
        if limit > MAX_RUNS_PER_PAGE:
            raise InvalidArgumentError(
                f"a page holds at most {MAX_RUNS_PER_PAGE} runs (MAX_RUNS_PER_PAGE), asked for "
                f"{limit}: ask for fewer, at a larger offset for the rest")
        way = "DESC" if descending else "ASC"
        with self._read() as s:
            where = self._search_where(s, run_filter, text)
            join, order = "", f"r.started_at {way}, r.id {way}"
            join_params: tuple[object, ...] = ()
            walk = False
            if sort in _RUN_COLUMNS:
                if sort != "started_at":
                    order = f"{_RUN_COLUMNS[sort]} {way}, r.id {way}"
                else:
                    walk = bool(self.dialect.runs_by_start)
            else:
                row = self._sort_field(s, sort)
                column = f"a.{ident(row.field.type.row.value_column)}"
                join = " LEFT JOIN run_attributes a ON a.run_id = r.id AND a.field_id = ?"
                join_params = (row.id,)
                # Runs without the attribute (or with NaN, stored as NULL) last either way.
                order = (f"CASE WHEN {column} IS NULL THEN 1 ELSE 0 END, {column} {way}, "
                         "r.started_at DESC, r.id DESC")
            total = _count(s, where)
            if not limit or offset >= total:
                return RunJsonPage([], "", total)
            if walk and _walk(s, total, offset + limit):
                join = self.dialect.runs_by_start
            ids = [int(i) for (i,) in s.all(
                f"SELECT r.id FROM runs r{join} WHERE {where.sql} ORDER BY {order} "
                "LIMIT ? OFFSET ?", (*join_params, *where.params, limit, offset))]
            text_of: dict[int, str] = dict(s.all(*page_sql(self.dialect, ids))) if ids else {}
        return RunJsonPage([text_of[i] for i in ids], "", total)

    def _sort_field(self, s: Session, name: str) -> FieldRow:
        if not isinstance(name, str):
            raise InvalidArgumentError(f"sort must be a string, got {type(name).__name__}")
        row = self._fields_by_name(s, [name]).get(name)
        if row is None:
            raise NotFoundError(
                f"cannot sort runs by {name!r}: it is neither started_at, handle nor a field "
                "(attribute names are field names)")
        return row

    def run_facets(
        self, run_filter: RunFilter, text: str = "", *, values: bool = True,
    ) -> RunFacets:
        with self._read() as s:
            where = self._search_where(s, run_filter, text)
            tags = sorted((str(t), int(n)) for t, n in s.all(
                f"SELECT tag, COUNT(*) FROM run_tags WHERE {_among(where)} GROUP BY tag",
                where.params))
            out = RunFacets(tags)
            listed: list[FieldRow] = []
            for row in self._attribute_fields(s):
                column = ident(row.field.type.row.value_column)
                if values and NUMERIC in row.field.type.row.traits:
                    found = [_value(row, v) for (v,) in s.all(
                        f"SELECT DISTINCT {column} FROM run_attributes WHERE field_id = ? AND "
                        f"{column} IS NOT NULL ORDER BY {column}", (row.id,))]
                    out.values[row.field.name] = _pick(found, MAX_FACET_VALUES)
                    many = len(found) > MAX_FACET_VALUES
                else:
                    # The index walks distinct values in order: it stops one past the most.
                    many = int(s.scalar(
                        f"SELECT COUNT(*) FROM (SELECT DISTINCT {column} FROM run_attributes "
                        f"WHERE field_id = ? AND {column} IS NOT NULL LIMIT ?) d",
                        (row.id, MAX_FACET_VALUES + 1))) > MAX_FACET_VALUES
                if many:
                    out.counts[row.field.name] = None
                else:
                    listed.append(row)
            # A field with no condition of its own is counted under the whole filter, all
            # such in one pass; one with a condition, under every other part of it.
            conditioned = {c.field for c in run_filter.attributes}
            free = [r for r in listed if r.field.name not in conditioned]
            if free:
                out.counts.update(_value_counts(s, free, where))
            for row in listed:
                if row.field.name in conditioned:
                    others = replace(run_filter, attributes=tuple(
                        c for c in run_filter.attributes if c.field != row.field.name))
                    out.counts.update(_value_counts(
                        s, [row], self._search_where(s, others, text)))
        return out

    def _attribute_fields(self, s: Session) -> list[FieldRow]:
        """The fields some run has as an attribute (a value other than NaN), by name."""
        rows = []
        for row in sorted(self._all_fields(s).values(), key=lambda r: r.field.name):
            column = ident(row.field.type.row.value_column)
            # A seek of the field's partial value index, not a scan of every attribute.
            if s.one(f"SELECT 1 FROM run_attributes WHERE field_id = ? AND {column} IS NOT NULL "
                     "LIMIT 1", (row.id,)) is not None:
                rows.append(row)
        return rows


#: A handle's text: hex digits, dashes where these are.
_HANDLE_LAYOUT = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
_HEX = frozenset("0123456789abcdef")


def _handle_bounds(text: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The lowest and highest handle whose text begins with `text` (lower case), or
    None where no handle's text can."""
    if len(text) > len(_HANDLE_LAYOUT) or any(
            (c != "-") if x == "-" else (c not in _HEX)
            for c, x in zip(text, _HANDLE_LAYOUT, strict=False)):
        return None
    rest = _HANDLE_LAYOUT[len(text):]
    return (uuid.UUID(text + rest.replace("x", "0")), uuid.UUID(text + rest.replace("x", "f")))


def _distinct_tags(s: Session) -> list[str]:
    """Every tag some run has: one index seek a tag (a loose index scan), where DISTINCT
    walked every run's tags (19 ms at 100,000 runs of 3 tags)."""
    return [str(t) for (t,) in s.all(
        "WITH RECURSIVE t(tag) AS (SELECT MIN(tag) FROM run_tags UNION ALL "
        "SELECT (SELECT MIN(tag) FROM run_tags WHERE tag > t.tag) FROM t "
        "WHERE t.tag IS NOT NULL) SELECT tag FROM t WHERE tag IS NOT NULL", ())]


def _count(s: Session, where: Where) -> int:
    """The runs matching `where`. Where it is memberships in sets of ids, those are
    counted (an index range each): the count over `runs` looked each match up there,
    17 ms for a third of 100,000 runs against 2 (decision 0048)."""
    if not where.sets:
        return int(s.scalar(f"SELECT COUNT(*) FROM runs r WHERE {where.sql}", where.params))
    params = tuple(p for ids in where.sets for p in ids.params)
    if len(where.sets) > 1:
        # INTERSECT keeps each id once.
        sql = " INTERSECT ".join(ids.sql for ids in where.sets)
        return int(s.scalar(f"SELECT COUNT(*) FROM ({sql}) m", params))
    (ids,) = where.sets
    what = "COUNT(*)" if ids.unique else "COUNT(DISTINCT run_id)"
    return int(s.scalar(f"SELECT {what} FROM ({ids.sql}) m", params))


#: A match's cost to the fetch-and-sort plan over a run's cost to the ordered walk
#: (1.4 µs a match fetched and sorted, 0.06 µs a run walked, SQLite at 100,000 runs).
_SORT_OVER_WALK = 20


def _walk(s: Session, total: int, rows: int) -> bool:
    """Whether the first `rows` of `total` matches, newest first, are found sooner by
    walking the runs in started_at order than by fetching every match and sorting
    them: the walk reads about rows * runs / total runs (the matches spread evenly),
    the sort all `total`. A third of 100,000 runs: 47 ms sorted, 4.6 walked; 9 runs:
    0.1 sorted, 6.3 walked."""
    if total <= rows:
        return False
    runs = int(s.scalar("SELECT COUNT(*) FROM runs", ()))
    return rows * runs < total * total * _SORT_OVER_WALK


def _among(where: Where) -> str:
    """A condition on a table's `run_id`: the run matches `where` (none for no filter)."""
    if where.sql == "1 = 1":
        return where.sql
    return f"run_id IN (SELECT r.id FROM runs r WHERE {where.sql})"


def _value_counts(
    s: Session, rows: list[FieldRow], where: Where,
) -> dict[str, list[tuple[Value, int]] | None]:
    """Each field's values' counts among the runs matching `where`, in value order."""
    out: dict[str, list[tuple[Value, int]] | None] = {}
    for row in rows:
        column = ident(row.field.type.row.value_column)
        # One field and its value column: its partial index covers the query (a stored
        # NaN, NULL, is left out: no value to check). All fields in one GROUP BY scanned
        # the table instead (438 ms against 6 a field at 100,000 runs).
        found = [(_value(row, v), int(n)) for v, n in s.all(
            f"SELECT {column}, COUNT(*) FROM run_attributes WHERE field_id = ? AND "
            f"{column} IS NOT NULL AND {_among(where)} GROUP BY {column}",
            (row.id, *where.params))]
        out[row.field.name] = sorted(found, key=lambda p: value_sort_key(p[0]))
    return out
