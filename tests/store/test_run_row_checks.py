"""The references of run_tags and run_attributes (store/run_row_checks.py), on both
backends: a row naming no run or field is refused, a run or field still named cannot be
deleted, deleting a run through the store removes its rows, and a store from migration
14 keeps its runs, which still search and delete as before."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest

from streamvis.model.errors import NotFoundError
from streamvis.model.schema import AttributeCondition, FieldType, NewRun, RunFilter
from streamvis.store import Store, open_store
from streamvis.store.dialect import ForeignKeyViolation, Session
from streamvis.store.migrations import LATEST, migrate

from .helpers import raw_session


def _refused(location: str, sql: str, params: tuple[object, ...]) -> None:
    """`sql` fails with a ForeignKeyViolation and changes nothing."""
    with raw_session(location) as s:
        s.begin(write=True)
        with pytest.raises(ForeignKeyViolation):
            s.run(sql, params)
        s.rollback()


def _rows_of(location: str, run_id: int) -> tuple[int, int]:
    with raw_session(location) as s:
        return (int(s.scalar("SELECT COUNT(*) FROM run_tags WHERE run_id = ?", (run_id,))),
                int(s.scalar("SELECT COUNT(*) FROM run_attributes WHERE run_id = ?", (run_id,))))


def _run_id(location: str, handle: uuid.UUID) -> int:
    with raw_session(location) as s:
        return int(s.scalar("SELECT id FROM runs WHERE handle = ?", (handle,)))


def _checks_hold(location: str, store: Store) -> None:
    """Every kind of reference is still checked, and the store's delete still works."""
    kept, gone = store.create_runs([
        NewRun(tags=["a", "b"], attributes={"lr": 0.5}),
        NewRun(tags=["c"], attributes={"lr": 0.25, "seed": 3}),
    ])
    kept_id, gone_id = _run_id(location, kept.handle), _run_id(location, gone.handle)
    with raw_session(location) as s:
        lr = int(s.scalar("SELECT id FROM fields WHERE name = 'lr'"))
        missing_run = int(s.scalar("SELECT MAX(id) FROM runs")) + 1
        missing_field = int(s.scalar("SELECT MAX(id) FROM fields")) + 1
    _refused(location, "INSERT INTO run_tags (run_id, tag) VALUES (?, 'x')", (missing_run,))
    _refused(location, "INSERT INTO run_attributes (run_id, field_id, v_float) VALUES (?, ?, 1.0)",
             (missing_run, lr))
    _refused(location, "INSERT INTO run_attributes (run_id, field_id, v_float) VALUES (?, ?, 1.0)",
             (kept_id, missing_field))
    _refused(location, "UPDATE run_tags SET run_id = ? WHERE run_id = ?", (missing_run, kept_id))
    _refused(location, "UPDATE run_attributes SET field_id = ? WHERE run_id = ?",
             (missing_field, kept_id))
    _refused(location, "DELETE FROM runs WHERE id = ?", (kept_id,))
    _refused(location, "DELETE FROM fields WHERE id = ?", (lr,))

    store.delete_run(gone.handle)
    assert _rows_of(location, gone_id) == (0, 0)
    assert _rows_of(location, kept_id) == (2, 1)
    with pytest.raises(NotFoundError):
        store.get_run(gone.handle)
    assert store.get_run(kept.handle) == kept


@pytest.mark.usefixtures("schema")
def test_rows_naming_no_run_or_field_are_refused(store: Store, location: str) -> None:
    _checks_hold(location, store)


def _race(*calls: Callable[[], object]) -> list[object]:
    """Each call in its own thread, all at once: what each returned or raised."""
    results: list[object] = []

    def go(call: Callable[[], object]) -> None:
        try:
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - either may lose the race
            results.append(exc)

    threads = [threading.Thread(target=go, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.usefixtures("schema")
def test_a_tag_added_while_its_run_is_deleted_is_not_left_behind(
    store: Store, location: str,
) -> None:
    """The check of a row locks its run as a foreign key's does: a tag added meanwhile
    either fails or keeps the delete from leaving it without its run."""
    for _ in range(20):
        run = store.create_run(tags=["t"])
        results = _race(lambda: store.add_run_tag(run.handle, "late"),  # noqa: B023
                        lambda: store.delete_run(run.handle))  # noqa: B023
        with raw_session(location) as s:
            orphans = s.scalar(
                "SELECT COUNT(*) FROM run_tags t WHERE NOT EXISTS "
                "(SELECT 1 FROM runs r WHERE r.id = t.run_id)")
        assert orphans == 0, results


def _insert_v14_run(s: Session, handle: uuid.UUID, tags: list[str],
                    attrs: dict[str, tuple[int, float]]) -> None:
    run_id = s.scalar("INSERT INTO runs (handle, started_at) VALUES (?, ?) RETURNING id",
                      (handle, 100.0))
    for tag in tags:
        s.run("INSERT INTO run_tags (run_id, tag) VALUES (?, ?)", (run_id, tag))
    for field_id, value in attrs.values():
        s.run("INSERT INTO run_attributes (run_id, field_id, v_float) VALUES (?, ?, ?)",
              (run_id, field_id, value))


def test_a_store_from_migration_14_keeps_its_runs_searchable_and_deletable(
    fresh_location: str,
) -> None:
    one, two = uuid.uuid4(), uuid.uuid4()
    with raw_session(fresh_location) as s:
        assert migrate(s, fresh_location, target=14) == 14
        s.begin(write=True)
        lr = int(s.scalar("INSERT INTO fields (handle, name, type) VALUES (?, 'lr', 'float') "
                          "RETURNING id", (uuid.uuid4(),)))
        _insert_v14_run(s, one, ["sweep", "a"], {"lr": (lr, 0.5)})
        _insert_v14_run(s, two, ["sweep"], {"lr": (lr, 0.25)})
        s.commit()
    with open_store(fresh_location) as store:
        with raw_session(fresh_location) as s:
            assert int(s.scalar("SELECT version FROM schema_version")) == LATEST
        assert {r.handle for r in store.list_runs(RunFilter(tags_all=("sweep",)))} == {one, two}
        found = store.list_runs(RunFilter(attributes=(AttributeCondition("lr", equals=0.5),)))
        assert [(r.handle, r.tags, r.attributes) for r in found] == [
            (one, ("a", "sweep"), {"lr": 0.5})]
        store.create_field("seed", FieldType.INT)
        _checks_hold(fresh_location, store)
        store.delete_run(one)
        assert [r.handle for r in store.list_runs(RunFilter())][-1:] == [two]
        assert one not in {r.handle for r in store.list_runs(RunFilter())}
