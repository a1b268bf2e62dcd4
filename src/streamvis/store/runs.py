"""Runs with their tags and attributes, run search, and what searches summarize."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence

from streamvis.model.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from streamvis.model.events import (
    AttributesChanged,
    RunCreated,
    RunDeleted,
    RunReplaced,
    TagsChanged,
)
from streamvis.model.limits import MAX_PREFIX_MATCHES_SHOWN
from streamvis.model.schema import (
    Field,
    Run,
    RunFilter,
    Value,
    handle_prefix_bounds,
    same_value,
    validate_name,
)
from streamvis.store import summary_rows
from streamvis.store.blobs import drop_run_artifacts
from streamvis.store.core import SqlCore, as_uuid, check_handle
from streamvis.store.dialect import Session, UniqueViolation, marks
from streamvis.store.filters import (
    FieldRow,
    coerce_attributes,
    value_from_row,
    value_params,
    value_sort_key,
)
from streamvis.store.media_refs import drop_run_media
from streamvis.store.run_listing import listing_json, set_listing

# An attribute set anew replaces its value; many rows in one statement (VALUES rows
# appended), so that PostgreSQL's reference check runs once (run_row_checks.py): a
# statement a value cost set_run_attributes 0.4 ms of database CPU for four values.
_UPSERT_ATTRIBUTES = (
    "INSERT INTO run_attributes (run_id, field_id, v_int, v_float, v_str, v_bool) "
    "VALUES {rows} ON CONFLICT (run_id, field_id) DO UPDATE SET "
    "v_int = excluded.v_int, v_float = excluded.v_float, "
    "v_str = excluded.v_str, v_bool = excluded.v_bool"
)
#: Rows of one upsert statement (6 parameters each, within SQLite's 32,766).
_UPSERT_ROWS = 1000

#: The columns of a run_attributes row, in the order its rows are built.
ATTRIBUTE_COLUMNS = ("run_id", "field_id", "v_int", "v_float", "v_str", "v_bool")

#: A run's attribute values, resolved to their fields' rows.
Attrs = list[tuple[FieldRow, Value]]


def _check_tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str) or not isinstance(tags, Sequence | set | frozenset):
        raise InvalidArgumentError(f"tags must be a list of strings, got {type(tags).__name__}")
    return sorted({validate_name("tag", t) for t in tags})


def _check_started_at(started_at: float | None) -> float:
    if started_at is None:
        return time.time()
    if (
        isinstance(started_at, bool)
        or not isinstance(started_at, int | float)
        or not math.isfinite(started_at)
    ):
        raise InvalidArgumentError(
            f"started_at must be a finite number of seconds since the epoch, got {started_at!r}"
        )
    return float(started_at)


class RunMethods(SqlCore):
    """Runs, tags, attributes and run search."""

    def create_run(
        self,
        handle: uuid.UUID | None = None,
        tags: Sequence[str] = (),
        attributes: Mapping[str, object] | None = None,
        started_at: float | None = None,
    ) -> Run:
        h = uuid.uuid4() if handle is None else check_handle(handle)
        tag_list, started = _check_tags(tags), _check_started_at(started_at)
        with self._write() as s:
            attrs = self._coerce(s, attributes)
            if s.one("SELECT id FROM runs WHERE handle = ?", (h,)) is not None:
                raise _run_exists(h)
            try:
                run = self._insert_run(s, h, tag_list, attrs, started)
            except UniqueViolation:
                raise _run_exists(h) from None
            s.publish_after_commit(RunCreated(run))
        return run

    def replace_run(
        self,
        handle: uuid.UUID,
        tags: Sequence[str] = (),
        attributes: Mapping[str, object] | None = None,
        started_at: float | None = None,
    ) -> Run:
        def replace(s: Session, run_id: int, tags: list[str], attrs: Attrs,
                    started: float) -> Run:
            self._delete_run_rows(s, run_id)
            run = self._insert_run(s, check_handle(handle), tags, attrs, started)
            s.publish_after_commit(RunReplaced(run))
            return run

        return self._create_or(handle, tags, attributes, started_at, replace)

    def resume_run(
        self,
        handle: uuid.UUID,
        tags: Sequence[str] = (),
        attributes: Mapping[str, object] | None = None,
        started_at: float | None = None,
    ) -> Run:
        def resume(s: Session, run_id: int, tags: list[str], attrs: Attrs,
                   started: float) -> Run:  # noqa: ARG001 - a resumed run keeps its start
            return self._merge_into(s, run_id, tags, attrs)

        return self._create_or(handle, tags, attributes, started_at, resume)

    def _create_or(
        self,
        handle: uuid.UUID,
        tags: Sequence[str],
        attributes: Mapping[str, object] | None,
        started_at: float | None,
        existing: Callable[[Session, int, list[str], Attrs, float], Run],
    ) -> Run:
        """Create the run, or, when it exists, do `existing` to it (replace, resume), in
        one transaction holding the run's row."""
        h = check_handle(handle)
        tag_list, started = _check_tags(tags), _check_started_at(started_at)
        for attempt in range(3):
            try:
                with self._write() as s:
                    attrs = self._coerce(s, attributes)
                    row = s.one(
                        f"SELECT id FROM runs WHERE handle = ?{self.dialect.for_update}", (h,)
                    )
                    if row is None:
                        run = self._insert_run(s, h, tag_list, attrs, started)
                        s.publish_after_commit(RunCreated(run))
                    else:
                        run = existing(s, int(row[0]), tag_list, attrs, started)
            except UniqueViolation:
                # Another writer created the run after we found none: now there is one
                # to replace or resume, so go again.
                if attempt == 2:
                    raise _run_exists(h) from None
                continue
            return run
        raise AssertionError("unreachable")

    def delete_run(self, handle: uuid.UUID) -> None:
        h = check_handle(handle)
        with self._write() as s:
            # Locking the run waits out appends in flight to it and keeps new ones out.
            self._delete_run_rows(s, self._run_id(s, h, lock=True))
            s.publish_after_commit(RunDeleted(h))

    def get_run(self, handle: uuid.UUID) -> Run:
        h = check_handle(handle)
        with self._read() as s:
            return self._run_by_id(s, self._run_id(s, h))

    def resolve_run_handle(self, text: str) -> uuid.UUID:
        lo, hi = handle_prefix_bounds(text)
        # A prefix is a range of the handle's unique index on both stores (PostgreSQL's
        # uuid orders by its bytes, SQLite's text by its lower-case hex: the same order).
        with self._read() as s:
            rows = s.all(
                "SELECT handle FROM runs WHERE handle >= ? AND handle <= ? "
                "ORDER BY handle LIMIT ?",
                (lo, hi, MAX_PREFIX_MATCHES_SHOWN + 1),
            )
        found = [as_uuid(r[0]) for r in rows]
        if not found:
            raise NotFoundError(f"no run with a handle starting {text!r}: check the handle")
        if len(found) > 1:
            shown = ", ".join(str(h) for h in found[:MAX_PREFIX_MATCHES_SHOWN])
            more = " and more" if len(found) > MAX_PREFIX_MATCHES_SHOWN else ""
            raise InvalidArgumentError(
                f"run handle prefix {text!r} is ambiguous: it matches {shown}{more}; "
                "give more of the handle"
            )
        return found[0]

    def list_runs(self, run_filter: RunFilter, limit: int | None = None) -> list[Run]:
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            raise InvalidArgumentError(f"limit must be a non-negative integer, got {limit!r}")
        with self._read() as s:
            return self._load_runs(s, self._where(s, run_filter), limit)

    def add_run_tag(self, handle: uuid.UUID, tag: str) -> Run:
        h, tag = check_handle(handle), validate_name("tag", tag)
        with self._write() as s:
            run_id = self._run_id(s, h)
            added = s.all(
                "INSERT INTO run_tags (run_id, tag) VALUES (?, ?) "
                "ON CONFLICT (run_id, tag) DO NOTHING RETURNING run_id",
                (run_id, tag),
            )
            run = self._run_by_id(s, run_id)
            if added:
                set_listing(s, run_id, run)
                s.publish_after_commit(TagsChanged(run))
        return run

    def delete_run_tag(self, handle: uuid.UUID, tag: str) -> Run:
        h, tag = check_handle(handle), validate_name("tag", tag)
        with self._write() as s:
            run_id = self._run_id(s, h)
            removed = s.all(
                "DELETE FROM run_tags WHERE run_id = ? AND tag = ? RETURNING run_id", (run_id, tag)
            )
            run = self._run_by_id(s, run_id)
            if removed:
                set_listing(s, run_id, run)
                s.publish_after_commit(TagsChanged(run))
        return run

    def list_tags(self, run_filter: RunFilter) -> list[tuple[str, int]]:
        with self._read() as s:
            w = self._where(s, run_filter)
            rows = s.all(
                "SELECT tag, COUNT(*) FROM run_tags "
                f"WHERE run_id IN (SELECT r.id FROM runs r WHERE {w.sql}) GROUP BY tag",
                w.params,
            )
        return sorted((str(t), int(n)) for t, n in rows)

    def set_run_attributes(
        self, handle: uuid.UUID, attributes: Mapping[str, object], *, keep_existing: bool = False,
    ) -> Run:
        h = check_handle(handle)
        with self._write() as s:
            attrs = self._coerce(s, attributes)
            run_id = self._run_id(s, h, lock=keep_existing)
            if keep_existing:
                had = self._run_by_id(s, run_id).attributes
                for row, value in attrs:
                    name = row.field.name
                    if name in had and not same_value(had[name], value):
                        raise AlreadyExistsError(
                            f"run {h} has attribute {name!r} = {had[name]!r} already, "
                            f"not {value!r}"
                        )
            if attrs:
                _upsert_attributes(s, run_id, attrs)
            run = self._run_by_id(s, run_id)
            if attrs:
                set_listing(s, run_id, run)
                s.publish_after_commit(AttributesChanged(run))
        return run

    def list_attribute_values(
        self, run_filter: RunFilter, fields: Sequence[str] = ()
    ) -> dict[str, list[tuple[Value, int]]]:
        if isinstance(fields, str):
            raise InvalidArgumentError("fields must be a list of field names, not one string")
        with self._read() as s:
            w = self._where(s, run_filter)
            wanted = self._field_rows(s, list(dict.fromkeys(fields)))
            known = {r.id: r for r in wanted} or self._all_fields(s)
            only, only_params = "", tuple[int, ...]()
            if wanted:
                only = f" AND field_id IN ({marks(len(wanted))})"
                only_params = tuple(r.id for r in wanted)
            rows = s.all(
                "SELECT field_id, v_int, v_float, v_str, v_bool, COUNT(*) FROM run_attributes "
                f"WHERE run_id IN (SELECT r.id FROM runs r WHERE {w.sql}){only} "
                "GROUP BY field_id, v_int, v_float, v_str, v_bool",
                (*w.params, *only_params),
            )
        out: dict[str, list[tuple[Value, int]]] = {r.field.name: [] for r in wanted}
        for field_id, *values, count in rows:
            f = known[field_id].field
            out.setdefault(f.name, []).append((value_from_row(f.type, values), int(count)))
        return {
            name: sorted(pairs, key=lambda p: value_sort_key(p[0]))
            for name, pairs in sorted(out.items())
        }

    def list_common_attributes(self, run_filter: RunFilter) -> list[Field]:
        with self._read() as s:
            w = self._where(s, run_filter)
            # (run_id, field_id) is the key, so a field's row count is its run count.
            ids = s.all(
                "SELECT field_id FROM run_attributes "
                f"WHERE run_id IN (SELECT r.id FROM runs r WHERE {w.sql}) GROUP BY field_id "
                f"HAVING COUNT(*) = (SELECT COUNT(*) FROM runs r WHERE {w.sql})",
                (*w.params, *w.params),
            )
            fields = self._all_fields(s)
        return sorted((fields[i].field for (i,) in ids), key=lambda f: f.name)

    def list_started_at(self, run_filter: RunFilter) -> list[float]:
        with self._read() as s:
            w = self._where(s, run_filter)
            rows = s.all(
                f"SELECT r.started_at FROM runs r WHERE {w.sql} ORDER BY r.started_at", w.params
            )
        return [float(t) for (t,) in rows]

    # -- helpers ----------------------------------------------------------------

    def _coerce(
        self, s: Session, attributes: Mapping[str, object] | None
    ) -> list[tuple[FieldRow, Value]]:
        names = list(attributes) if isinstance(attributes, Mapping) else []
        return coerce_attributes(attributes, self._fields_by_name(s, names))

    def _insert_run(
        self,
        s: Session,
        handle: uuid.UUID,
        tags: list[str],
        attrs: list[tuple[FieldRow, Value]],
        started_at: float,
    ) -> Run:
        values = {row.field.name: v for row, v in attrs}
        run = Run(handle, started_at, tuple(tags), dict(sorted(values.items())))
        run_id = s.scalar(
            "INSERT INTO runs (handle, started_at, listing) VALUES (?, ?, ?) RETURNING id",
            (handle, started_at, listing_json(run)),
        )
        # One statement a table (COPY on PostgreSQL): its reference checks run once a
        # statement (run_row_checks.py), and the run is new, so its attributes need no
        # upsert.
        if tags:
            s.insert_rows("run_tags", ("run_id", "tag"), [(run_id, t) for t in tags])
        if attrs:
            s.insert_rows("run_attributes", ATTRIBUTE_COLUMNS, _attribute_rows(run_id, attrs))
        return run

    def _merge_into(
        self, s: Session, run_id: int, tags: list[str], attrs: list[tuple[FieldRow, Value]]
    ) -> Run:
        """Add tags and set attributes on an existing run; publish what changed."""
        added = [
            row for t in tags for row in s.all(
                "INSERT INTO run_tags (run_id, tag) VALUES (?, ?) "
                "ON CONFLICT (run_id, tag) DO NOTHING RETURNING run_id",
                (run_id, t),
            )
        ]
        if attrs:
            _upsert_attributes(s, run_id, attrs)
        run = self._run_by_id(s, run_id)
        if added or attrs:
            set_listing(s, run_id, run)
        if added:
            s.publish_after_commit(TagsChanged(run))
        if attrs:
            s.publish_after_commit(AttributesChanged(run))
        return run

    def _delete_run_rows(self, s: Session, run_id: int) -> None:
        for table in ("append_keys", *summary_rows.TABLES):
            s.run(
                f"DELETE FROM {table} WHERE chunk_id IN (SELECT id FROM chunks WHERE run_id = ?)",
                (run_id,),
            )
        drop_run_artifacts(s, run_id, drop_run_media(s, run_id))
        for table in ("line_groups", "chunks", "run_attributes", "run_tags", "controls"):
            s.run(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
        s.run("DELETE FROM runs WHERE id = ?", (run_id,))


def _upsert_attributes(s: Session, run_id: int, attrs: list[tuple[FieldRow, Value]]) -> None:
    """Set the run's attributes `attrs` (each field once: a Mapping's), new or not."""
    rows = _attribute_rows(run_id, attrs)
    for i in range(0, len(rows), _UPSERT_ROWS):
        part = rows[i:i + _UPSERT_ROWS]
        s.run(_UPSERT_ATTRIBUTES.format(rows=", ".join([f"({marks(6)})"] * len(part))),
              [p for row in part for p in row])


def _attribute_rows(run_id: int, attrs: list[tuple[FieldRow, Value]]) -> list[tuple[object, ...]]:
    return [(run_id, row.id, *value_params(row.field.type, v)) for row, v in attrs]


def _run_exists(handle: uuid.UUID) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"run {handle} exists already: replace it to log it anew, or use another handle"
    )
