"""Fields and series: the declared schema every logged value is typed by."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from streamvis.model.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
)
from streamvis.model.events import FieldChanged, SeriesCreated, SeriesDeleted
from streamvis.model.limits import MAX_DESCRIPTION_LENGTH, MAX_FIELDS_PER_CREATE
from streamvis.model.media import NO_OPTIONS, FieldOptions, check_options
from streamvis.model.schema import (
    Field,
    FieldType,
    NewField,
    RunFilter,
    Series,
    check_series_x,
    check_x_type,
    dedupe,
    describe_x,
    validate_name,
)
from streamvis.model.wallclock import check_not_reserved
from streamvis.store.core import FIELD_COLUMNS, SqlCore, as_uuid, check_handle, field_from_row
from streamvis.store.dialect import Session, UniqueViolation, marks
from streamvis.store.filters import FieldRow
from streamvis.store.run_listing import rebuild_listings


def _check_description(description: object) -> str:
    if not isinstance(description, str):
        raise InvalidArgumentError(
            f"field description must be a string, got {type(description).__name__}"
        )
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ResourceExhaustedError(
            f"the description has {len(description)} characters; at most "
            f"{MAX_DESCRIPTION_LENGTH} are accepted: shorten it"
        )
    return description


class CatalogMethods(SqlCore):
    """create/update/list fields; create/list/delete series."""

    # -- fields ---------------------------------------------------------------

    def create_field(
        self, name: str, type: FieldType, description: str = "",
        options: FieldOptions | Mapping[str, Any] | None = None,
    ) -> Field:
        return self.create_fields([NewField(name, type, description, options)])[0]

    def create_fields(self, fields: Sequence[NewField]) -> list[Field]:
        if isinstance(fields, str | bytes) or not isinstance(fields, Sequence):
            raise InvalidArgumentError(
                f"fields must be a list of NewField, got {type(fields).__name__}"
            )
        if len(fields) > MAX_FIELDS_PER_CREATE:
            raise ResourceExhaustedError(
                f"one batch creates at most {MAX_FIELDS_PER_CREATE} fields "
                f"(MAX_FIELDS_PER_CREATE), got {len(fields)}: send them in batches of that many"
            )
        checked = [_checked_field(i, new) for i, new in enumerate(fields)]
        names = [f.name for f in checked]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise InvalidArgumentError(
                f"field {twice!r} is given more than once in the batch: give each field once"
            )
        if not checked:
            return []
        # One transaction for the batch: a declaration of many fields (a config's keys,
        # the capture's attributes) commits once, not once a field.
        with self._write() as s:
            existing = self._fields_by_name(s, names)
            if existing:
                first = next(f for f in checked if f.name in existing)
                raise _field_exists(existing[first.name].field, first.type, first.options)
            try:
                s.run_many(
                    "INSERT INTO fields (handle, name, type, description, options) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(f.handle, f.name, f.type.value, f.description, f.options.text())
                     for f in checked],
                )
            except UniqueViolation:  # created concurrently since we looked
                raise AlreadyExistsError(
                    f"one of the fields {', '.join(map(repr, names))} was just created by "
                    "another client: list the fields and create those still missing"
                ) from None
            for f in checked:
                s.publish_after_commit(FieldChanged(f))
        return checked

    def update_field(
        self,
        target: str | uuid.UUID,
        *,
        new_name: str | None = None,
        description: str | None = None,
    ) -> Field:
        if new_name is not None:
            validate_name("field", new_name)
            check_not_reserved(new_name)
        if description is not None:
            description = _check_description(description)
        with self._write() as s:
            row = self._field_for_update(s, target)
            old = row.field
            name = old.name if new_name is None else new_name
            desc = old.description if description is None else description
            if (name, desc) == (old.name, old.description):
                return old
            if name != old.name and self._fields_by_name(s, [name]):
                raise AlreadyExistsError(
                    f"cannot rename field {old.name!r} to {name!r}: a field of that name "
                    "exists already; choose another name"
                )
            try:
                s.run(
                    "UPDATE fields SET name = ?, description = ? WHERE id = ?",
                    (name, desc, row.id),
                )
            except UniqueViolation:
                raise AlreadyExistsError(
                    f"cannot rename field {old.name!r} to {name!r}: a field of that name "
                    "was just created; choose another name"
                ) from None
            if name != old.name:  # the runs' listings name their attributes
                rebuild_listings(s, "r.id IN (SELECT run_id FROM run_attributes WHERE "
                                    "field_id = ?)", (row.id,))
            field = Field(old.handle, name, old.type, desc, old.options)
            s.publish_after_commit(FieldChanged(field))
        return field

    def _field_for_update(self, s: Session, target: str | uuid.UUID) -> FieldRow:
        lock = self.dialect.for_update
        if isinstance(target, uuid.UUID):
            rows = s.all(
                f"SELECT {FIELD_COLUMNS} FROM fields f WHERE f.handle = ?{lock}", (target,)
            )
            what = f"with handle {target}"
        elif isinstance(target, str):
            rows = s.all(f"SELECT {FIELD_COLUMNS} FROM fields f WHERE f.name = ?{lock}", (target,))
            what = f"named {target!r}"
        else:
            raise InvalidArgumentError(
                f"field to update must be given by name (str) or handle (UUID), got "
                f"{type(target).__name__}"
            )
        if not rows:
            raise NotFoundError(f"no field {what}: check the name or handle")
        return field_from_row(rows[0])

    def list_fields(self) -> list[Field]:
        with self._read() as s:
            rows = s.all(f"SELECT {FIELD_COLUMNS} FROM fields f")
        return sorted((field_from_row(r).field for r in rows), key=lambda f: f.name)

    # -- series ---------------------------------------------------------------

    def create_series(
        self, name: str, fields: Sequence[str], x: str | None = None,
    ) -> Series:
        validate_name("series", name)
        if isinstance(fields, str) or not isinstance(fields, Sequence):
            raise InvalidArgumentError(f"fields of series {name!r} must be a list of field names")
        if not fields:
            raise InvalidArgumentError(
                f"series {name!r} has no fields: give at least one field name"
            )
        for f in fields:
            validate_name("field", f)
        names = dedupe(fields, f"field of series {name!r}")
        x = check_series_x(name, names, x)
        with self._write() as s:
            existing = self._series_fields(s, "s.name = ?", (name,))
            if existing:
                raise _series_exists(next(iter(existing.values())), names, x)
            frows = self._field_rows(s, names)
            x_row = next((r for r in frows if r.field.name == x), None)
            if x_row is not None:
                check_x_type(name, x_row.field)
            try:
                sid = s.scalar(
                    "INSERT INTO series (name, x_field) VALUES (?, ?) RETURNING id",
                    (name, None if x_row is None else x_row.id),
                )
            except UniqueViolation:
                raise AlreadyExistsError(
                    f"series {name!r} exists already: use it, or choose another name"
                ) from None
            s.run_many(
                "INSERT INTO series_fields (series_id, field_id, position) VALUES (?, ?, ?)",
                [(sid, r.id, i) for i, r in enumerate(frows)],
            )
            series = Series(name, names, x)
            s.publish_after_commit(SeriesCreated(series))
        return series

    def list_series(self) -> list[Series]:
        with self._read() as s:
            found = self._series_fields(s, "1 = 1", ())
        return sorted(found.values(), key=lambda x: x.name)

    def delete_empty_series(self, name: str) -> None:
        with self._write() as s:
            # Locking the series row waits out appends in flight to it (their chunk
            # insert holds a key-share lock on it) and keeps new ones out.
            sid, _, _ = self._series(s, name, lock=True)
            runs = int(
                s.scalar("SELECT COUNT(DISTINCT run_id) FROM chunks WHERE series_id = ?", (sid,))
            )
            if runs:
                raise FailedPreconditionError(
                    f"series {name!r} has data in {runs} run(s): delete those runs first, "
                    "or keep the series"
                )
            s.run("DELETE FROM series_fields WHERE series_id = ?", (sid,))
            s.run("DELETE FROM series WHERE id = ?", (sid,))
            s.publish_after_commit(SeriesDeleted(name))

    def list_common_series(self, run_filter: RunFilter) -> list[Series]:
        with self._read() as s:
            w = self._where(s, run_filter)
            # One index probe on chunks (run_id, series_id) per (series, run) pair,
            # stopping at the first matching run that lacks data in the series.
            ids = [
                r[0]
                for r in s.all(
                    f"SELECT s.id FROM series s WHERE EXISTS (SELECT 1 FROM runs r WHERE {w.sql})"
                    f" AND NOT EXISTS (SELECT 1 FROM runs r WHERE {w.sql} AND NOT EXISTS ("
                    "SELECT 1 FROM chunks c WHERE c.run_id = r.id AND c.series_id = s.id))",
                    (*w.params, *w.params),
                )
            ]
            if not ids:
                return []
            found = self._series_fields(s, f"s.id IN ({marks(len(ids))})", ids)
        return sorted(found.values(), key=lambda x: x.name)

    def series_row_counts(self, handle: uuid.UUID) -> dict[str, int]:
        with self._read() as s:
            run_id = self._run_id(s, handle)
            rows = s.all(
                "SELECT s.name, SUM(c.row_count) FROM chunks c JOIN series s ON s.id = "
                "c.series_id WHERE c.run_id = ? GROUP BY s.name ORDER BY s.name", (run_id,),
            )
        return {str(name): int(n) for name, n in rows}

    def run_row_counts(
        self, handles: Sequence[uuid.UUID], skip_series: Sequence[str] = (),
    ) -> dict[uuid.UUID, int]:
        wanted = [check_handle(h) for h in handles]
        if not wanted:
            return {}
        skip = f" AND s.name NOT IN ({marks(len(skip_series))})" if skip_series else ""
        with self._read() as s:
            # chunks_run (run_id, series_id) serves the join; row_count sums without
            # reading any chunk's data.
            rows = s.all(
                "SELECT r.handle, SUM(c.row_count) FROM runs r JOIN chunks c ON c.run_id = r.id "
                f"JOIN series s ON s.id = c.series_id WHERE r.handle IN ({marks(len(wanted))})"
                f"{skip} GROUP BY r.handle",
                (*wanted, *skip_series),
            )
        return {as_uuid(h): int(n) for h, n in rows}



def _checked_field(i: int, new: object) -> Field:
    """A NewField checked as create_field checks its arguments, with a new handle."""
    if not isinstance(new, NewField):
        raise InvalidArgumentError(f"fields[{i}] must be a NewField, got {type(new).__name__}")
    validate_name("field", new.name)
    check_not_reserved(new.name)
    ftype = new.type if isinstance(new.type, FieldType) else FieldType.parse(str(new.type))
    row = ftype.row
    opts = check_options(ftype.value, row.media, row.options, new.options)
    return Field(uuid.uuid4(), new.name, ftype, _check_description(new.description), opts)


def _field_exists(
    existing: Field, wanted: FieldType, options: FieldOptions = NO_OPTIONS
) -> AlreadyExistsError:
    if existing.type is wanted and existing.options != options:
        return AlreadyExistsError(
            f"field {existing.name!r} exists already with options "
            f"{existing.options.to_json()}, not {options.to_json()}: a field's options "
            "never change, so choose another name"
        )
    if existing.type is wanted:
        return AlreadyExistsError(
            f"field {existing.name!r} exists already, with the same type {wanted.value}: "
            "use it as it is"
        )
    return AlreadyExistsError(
        f"field {existing.name!r} exists already with type {existing.type.value}, not "
        f"{wanted.value}: a field's type never changes, so choose another name"
    )


def _series_exists(
    existing: Series, wanted: tuple[str, ...], x: str | None,
) -> AlreadyExistsError:
    if existing.is_declared_by(wanted, x):
        return AlreadyExistsError(
            f"series {existing.name!r} exists already, with the same fields: use it as it is"
        )
    return AlreadyExistsError(
        f"series {existing.name!r} exists already with fields "
        f"{', '.join(existing.fields)} and {describe_x(existing.x)}: a series never "
        "changes, so choose another name"
    )
