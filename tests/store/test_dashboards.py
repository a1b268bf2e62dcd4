"""Saved dashboards: upsert, read back, list by name, delete; each publishes
DashboardChanged; bad input changes nothing."""

from __future__ import annotations

import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError, ResourceExhaustedError
from streamvis.model.events import DashboardChanged, Event
from streamvis.store import Store

BOARD = {"name": "training", "layout": "rows=loss,acc;lr&height=2,1",
         "plots": ["loss", "acc", "lr"], "title": "training overview"}


def test_save_get_replace_list_delete(store: Store, events: list[Event]) -> None:
    assert store.list_dashboards() == []
    assert store.save_dashboard("training", BOARD) == BOARD
    assert store.get_dashboard("training") == BOARD
    replaced = {**BOARD, "layout": "cols=loss;acc"}
    store.save_dashboard("training", replaced)
    # The name may be left out: the argument gives it; plots default to none.
    store.save_dashboard("alpha", {"layout": "rows=loss"})
    assert store.get_dashboard("training") == replaced
    assert store.get_dashboard("alpha") == {"name": "alpha", "layout": "rows=loss", "plots": []}
    assert [d["name"] for d in store.list_dashboards()] == ["alpha", "training"]
    assert store.delete_dashboard("training") == replaced
    assert [d["name"] for d in store.list_dashboards()] == ["alpha"]
    with pytest.raises(NotFoundError, match="no dashboard named 'training'"):
        store.get_dashboard("training")
    with pytest.raises(NotFoundError, match="no dashboard named 'training'"):
        store.delete_dashboard("training")
    assert events == [
        DashboardChanged("training", deleted=False), DashboardChanged("training", deleted=False),
        DashboardChanged("alpha", deleted=False), DashboardChanged("training", deleted=True),
    ]


@pytest.mark.parametrize(("name", "spec", "fragment"), [
    ("", BOARD, "dashboard name is empty"),
    ("training", [1], "JSON object"),
    ("training", {**BOARD, "name": "other"}, "named 'other'"),
    ("training", {**BOARD, "layout": "loss,acc"}, "rows= or cols="),
    ("training", {**BOARD, "layout": None}, '"layout"'),
    ("training", {**BOARD, "plots": "loss"}, '"plots"'),
    ("training", {**BOARD, "extra": float("nan")}, "cannot be stored as JSON"),
])
def test_bad_dashboards_change_nothing(store: Store, events: list[Event], name: str,
                                       spec: object, fragment: str) -> None:
    store.save_dashboard("training", BOARD)
    with pytest.raises(InvalidArgumentError, match=fragment):
        store.save_dashboard(name, spec)  # type: ignore[arg-type]
    assert store.list_dashboards() == [BOARD]
    assert events == [DashboardChanged("training", deleted=False)]


def test_an_oversized_dashboard_is_a_resource_limit_and_changes_nothing(
    store: Store, events: list[Event],
) -> None:
    store.save_dashboard("training", BOARD)
    with pytest.raises(ResourceExhaustedError, match="at most"):
        store.save_dashboard("training", {**BOARD, "title": "x" * 70_000})
    assert store.list_dashboards() == [BOARD]
    assert events == [DashboardChanged("training", deleted=False)]
