"""Saved plot specs: upsert, read back, list by name, delete; each publishes PlotChanged."""

from __future__ import annotations

import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.events import Event, PlotChanged
from streamvis.store import Store, open_store

SPEC = {"name": "loss", "kind": "line", "title": "training loss",
        "datasets": [{"series": "train", "bindings": {"x": "step", "y": "loss"}}],
        "scales": {"x": "lin", "y": "log"}, "extra": {"nested": [1, 2.5, None, True]}}


def test_save_get_replace_list_delete(store: Store, events: list[Event]) -> None:
    assert store.list_plots() == []
    store.save_plot("loss", SPEC)
    assert store.get_plot("loss") == SPEC
    replaced = {**SPEC, "title": "loss, again"}
    store.save_plot("loss", replaced)
    store.save_plot("acc", {"name": "acc", "kind": "scatter"})
    assert store.get_plot("loss") == replaced
    assert [p["name"] for p in store.list_plots()] == ["acc", "loss"]
    assert store.delete_plot("loss") == replaced
    assert [p["name"] for p in store.list_plots()] == ["acc"]
    with pytest.raises(NotFoundError, match="no plot named 'loss'"):
        store.get_plot("loss")
    with pytest.raises(NotFoundError, match="no plot named 'loss'"):
        store.delete_plot("loss")
    assert [e for e in events if isinstance(e, PlotChanged)] == [
        PlotChanged("loss", deleted=False), PlotChanged("loss", deleted=False),
        PlotChanged("acc", deleted=False), PlotChanged("loss", deleted=True),
    ]


def test_bad_specs_change_nothing(store: Store, events: list[Event]) -> None:
    with pytest.raises(InvalidArgumentError, match="plot name is empty"):
        store.save_plot("", SPEC)
    with pytest.raises(InvalidArgumentError, match="JSON object"):
        store.save_plot("p", ["not", "an", "object"])  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="cannot be stored as JSON"):
        store.save_plot("p", {"x": float("nan")})
    with pytest.raises(InvalidArgumentError, match="cannot be stored as JSON"):
        store.save_plot("p", {"x": object()})
    assert store.list_plots() == []
    assert events == []


def test_plots_survive_reopening(location: str) -> None:
    with open_store(location) as store:
        store.save_plot("kept", SPEC)
    with open_store(location) as store:
        assert store.get_plot("kept") == SPEC
