"""The run search page's reads: one sorted page of the matches at any depth, and the
counts its filter panel shows (decision 0037).

At 100,000 runs the page cannot hold every run to show its first screen (11–40 s to
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

from dataclasses import replace

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.limits import MAX_FACET_VALUES, MAX_RUNS_PER_PAGE
from streamvis.model.schema import RunFacets, RunFilter, RunJsonPage, Value
from streamvis.model.types import NUMERIC
from streamvis.store.core import SqlCore
from streamvis.store.dialect import Session, ident
from streamvis.store.filters import VALUE_INDEX, FieldRow, Where, value_from_row, value_sort_key
from streamvis.store.run_listing import page_sql

#: The sort keys that are columns of `runs`; any other names an attribute field.
_RUN_COLUMNS = {"started_at": "r.started_at", "handle": "r.handle"}


def _like(text: str) -> str:
    """`text` as a LIKE pattern's literal part (escape character `\\`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
        handle = "r.handle" if self.dialect.name == "sqlite" else "r.handle::text"
        pattern = _like(text)
        return where.and_(
            f"({handle} LIKE ? ESCAPE '\\' OR r.id IN (SELECT run_id FROM run_tags "
            "WHERE lower(tag) LIKE ? ESCAPE '\\'))", (f"{pattern}%", f"%{pattern}%"))

    def search_runs_json(
        self, run_filter: RunFilter, text: str = "", sort: str = "started_at",
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
            total = int(s.scalar(f"SELECT COUNT(*) FROM runs r WHERE {where.sql}", where.params))
            if not limit or offset >= total:
                return RunJsonPage([], "", total)
            join, join_params, order = "", (), f"r.started_at {way}, r.id {way}"
            if sort in _RUN_COLUMNS:
                if sort != "started_at":
                    order = f"{_RUN_COLUMNS[sort]} {way}, r.id {way}"
            else:
                row = self._sort_field(s, sort)
                column = f"a.{ident(row.field.type.row.value_column)}"
                join = " LEFT JOIN run_attributes a ON a.run_id = r.id AND a.field_id = ?"
                join_params = (row.id,)
                # Runs without the attribute (or with NaN, stored as NULL) last either way.
                order = (f"CASE WHEN {column} IS NULL THEN 1 ELSE 0 END, {column} {way}, "
                         "r.started_at DESC, r.id DESC")
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
                "SELECT tag, COUNT(*) FROM run_tags WHERE run_id IN "
                f"(SELECT r.id FROM runs r WHERE {where.sql}) GROUP BY tag", where.params))
            out = RunFacets(tags)
            for row in self._attribute_fields(s):
                column = ident(row.field.type.row.value_column)
                distinct = int(s.scalar(
                    f"SELECT COUNT(DISTINCT {column}) FROM run_attributes WHERE field_id = ?",
                    (row.id,)))
                name = row.field.name
                out.counts[name] = None if distinct > MAX_FACET_VALUES else self._value_counts(
                    s, run_filter, text, row)
                if values and NUMERIC in row.field.type.row.traits:
                    found = [_value(row, v) for (v,) in s.all(
                        f"SELECT DISTINCT {column} FROM run_attributes WHERE field_id = ? AND "
                        f"{column} IS NOT NULL ORDER BY {column}", (row.id,))]
                    out.values[name] = _pick(found, MAX_FACET_VALUES)
        return out

    def _attribute_fields(self, s: Session) -> list[FieldRow]:
        """The fields some run has as an attribute, by name."""
        present = {int(i) for (i,) in s.all(
            "SELECT f.id FROM fields f WHERE EXISTS "
            "(SELECT 1 FROM run_attributes a WHERE a.field_id = f.id)")}
        rows = [r for r in self._all_fields(s).values() if r.id in present]
        return sorted(rows, key=lambda r: r.field.name)

    def _value_counts(
        self, s: Session, run_filter: RunFilter, text: str, row: FieldRow,
    ) -> list[tuple[Value, int]]:
        """The field's values' counts among the runs passing every other condition."""
        name = row.field.name
        others = replace(run_filter, attributes=tuple(
            c for c in run_filter.attributes if c.field != name))
        where = self._search_where(s, others, text)
        column = ident(row.field.type.row.value_column)
        found = [(_value(row, v), int(n))
                 for v, n in s.all(
                     f"SELECT {column}, COUNT(*) FROM run_attributes WHERE field_id = ? AND "
                     f"run_id IN (SELECT r.id FROM runs r WHERE {where.sql}) GROUP BY {column}",
                     (row.id, *where.params))]
        return sorted(found, key=lambda p: value_sort_key(p[0]))
