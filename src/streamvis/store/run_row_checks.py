"""PostgreSQL: the references of run_tags and run_attributes checked once a statement.

A foreign key checks each inserted row by itself: PostgreSQL queues one trigger event
a row and runs a locking look-up of the referenced row for each (SPI, `FOR KEY SHARE`).
Creating 5,000 runs (15,000 tag rows, 20,000 attribute rows) spent 110 µs a run in
those checks, two thirds of the batch's time in the database; without them the rows
went in at 28 µs a run (decision 0047). So on PostgreSQL, migration 15 puts in place of
the three foreign keys of these two tables (run_id of both, field_id of run_attributes)
statement-level triggers that check the same, set-wise, over the statement's new rows:

- rows inserted into run_tags / run_attributes: every run (and field) they name
  exists; the referenced rows are locked `FOR KEY SHARE` as a foreign key's check
  locks them, so a concurrent delete of the run waits for this transaction and then
  finds its rows (and fails), or this check waits for the delete and then fails;
- a row whose run_id or field_id an UPDATE sets: the same, a row at a time (a trigger
  on those columns, so an attribute's upsert, which sets its values, fires none);
- runs or fields deleted: no run_tags / run_attributes row names one of them (the store
  deletes a run's rows first, runs.py `_delete_run_rows`);
- a run's or a field's id cannot change: both are identity columns GENERATED ALWAYS.

A violation raises SQLSTATE 23503, `foreign_key_violation`, as the keys did, so the
store sees the same `ForeignKeyViolation`. SQLite keeps its foreign keys: its check is
a rowid look-up, a small part of its insert (decision 0047).

The SQL holds no `?` or `%`: it goes through the store's placeholder conversion.
"""

from __future__ import annotations

from streamvis.store.dialect import Session

#: The foreign keys this replaces, by PostgreSQL's default names (migration 1).
REPLACED_KEYS = (
    ("run_tags", "run_tags_run_id_fkey"),
    ("run_attributes", "run_attributes_run_id_fkey"),
    ("run_attributes", "run_attributes_field_id_fkey"),
)

# How many of `ids` (a set) exist in `table`, each locked against deletion as a
# foreign key's check locks it.
_LOCKED = (
    "(SELECT count(*) FROM (SELECT 1 FROM {table} x WHERE x.id IN "
    "(SELECT {column} FROM new_rows) FOR KEY SHARE OF x) k)"
)
_WANTED = "(SELECT count(DISTINCT {column}) FROM new_rows)"


def _refers(table: str, column: str) -> str:
    """PL/pgSQL: raise unless every `column` of new_rows names a row of `table`."""
    return (
        f"IF {_LOCKED.format(table=table, column=column)} < "
        f"{_WANTED.format(column=column)} THEN "
        "RAISE foreign_key_violation USING MESSAGE = 'a row of ' || TG_TABLE_NAME || "
        f"' names a {table} row that does not exist ({column})'; END IF;"
    )


def _function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ "
        f"BEGIN {body} RETURN NULL; END $body$"
    )


def _unreferenced(child: str, column: str) -> str:
    return (
        f"IF EXISTS (SELECT 1 FROM {child} c WHERE c.{column} IN (SELECT id FROM old_rows)) "
        "THEN RAISE foreign_key_violation USING MESSAGE = 'a ' || TG_TABLE_NAME || "
        f"' row deleted is still named by {child} ({column})'; END IF;"
    )


STATEMENTS = (
    _function("streamvis_tags_refer", _refers("runs", "run_id")),
    _function("streamvis_attributes_refer",
              _refers("runs", "run_id") + " " + _refers("fields", "field_id")),
    _function("streamvis_runs_unreferenced",
              _unreferenced("run_tags", "run_id") + " "
              + _unreferenced("run_attributes", "run_id")),
    _function("streamvis_fields_unreferenced", _unreferenced("run_attributes", "field_id")),
    _function("streamvis_row_refers",
              "IF NOT EXISTS (SELECT 1 FROM runs x WHERE x.id = NEW.run_id FOR KEY SHARE OF x) "
              "THEN RAISE foreign_key_violation USING MESSAGE = 'a row of ' || TG_TABLE_NAME "
              "|| ' names a runs row that does not exist (run_id)'; END IF;"),
    _function("streamvis_attribute_row_refers",
              "IF NOT EXISTS (SELECT 1 FROM fields x WHERE x.id = NEW.field_id "
              "FOR KEY SHARE OF x) THEN RAISE foreign_key_violation USING MESSAGE = "
              "'a row of run_attributes names a fields row that does not exist (field_id)'; "
              "END IF;"),
    *(
        f"CREATE TRIGGER {table}_refer_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION streamvis_{kind}_refer()"
        for table, kind in (("run_tags", "tags"), ("run_attributes", "attributes"))
    ),
    # An update that sets a reference, a row at a time: only such an update fires
    # these (the store never sets one; an attribute's upsert sets its values only).
    *(
        f"CREATE TRIGGER {table}_refer_update_{column} AFTER UPDATE OF {column} ON "
        f"{table} FOR EACH ROW EXECUTE FUNCTION streamvis_{function}()"
        for table, column, function in (
            ("run_tags", "run_id", "row_refers"),
            ("run_attributes", "run_id", "row_refers"),
            ("run_attributes", "field_id", "attribute_row_refers"),
        )
    ),
    *(
        f"CREATE TRIGGER {table}_unreferenced AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION streamvis_{table}_unreferenced()"
        for table in ("runs", "fields")
    ),
    *(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}" for table, name in REPLACED_KEYS),
)


def check_per_statement(s: Session) -> None:
    """Migration 15: on PostgreSQL, the triggers above in place of the foreign keys."""
    if s.dialect.name != "postgresql":
        return
    for statement in STATEMENTS:
        s.run(statement)
