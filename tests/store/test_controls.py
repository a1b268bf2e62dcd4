"""Controls of runs in the store: declare, set (checked by kind), keep on redeclare."""

from __future__ import annotations

import uuid

import pytest

from streamvis.model.controls import ControlKind, check_spec
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.store import Store


def test_declare_set_and_list(store: Store) -> None:
    run = store.create_run().handle
    declared = store.declare_controls(run, [
        check_spec("lr", "slider", 0.01, min=0.0, max=0.1),
        check_spec("stop", "button"),
        check_spec("note", "text", "hi"),
        check_spec("ema", "toggle", default=True),
    ])
    assert [(c.spec.name, c.spec.kind, c.value, c.version) for c in declared] == [
        ("ema", ControlKind.TOGGLE, True, 0), ("lr", ControlKind.SLIDER, 0.01, 0),
        ("note", ControlKind.TEXT, "hi", 0), ("stop", ControlKind.BUTTON, 0, 0),
    ]
    assert store.set_control(run, "lr", 0.05).value == 0.05
    assert store.set_control(run, "stop", None).value == 1
    pressed = store.set_control(run, "stop", "anything")
    assert (pressed.value, pressed.version) == (2, 2)
    assert store.set_control(run, "ema", value=False).value is False
    with pytest.raises(InvalidArgumentError, match=r"takes values in \[0.0, 0.1\]"):
        store.set_control(run, "lr", 5)
    with pytest.raises(InvalidArgumentError, match="takes true or false"):
        store.set_control(run, "ema", "yes")
    with pytest.raises(NotFoundError, match="no control 'missing'"):
        store.set_control(run, "missing", 1)
    with pytest.raises(NotFoundError, match="no run"):
        store.list_controls(uuid.uuid4())
    values = {c.spec.name: c.value for c in store.list_controls(run)}
    assert values == {"ema": False, "lr": 0.05, "note": "hi", "stop": 2}


def test_redeclaring_keeps_values_that_still_fit(store: Store) -> None:
    run = store.create_run().handle
    store.declare_controls(run, [check_spec("lr", "slider", 0.01, min=0, max=0.1),
                                 check_spec("mode", "text", "a")])
    store.set_control(run, "lr", 0.08)
    store.set_control(run, "mode", "b")
    again = store.declare_controls(run, [check_spec("lr", "slider", 0.01, min=0, max=0.05),
                                         check_spec("mode", "toggle")])
    assert {c.spec.name: c.value for c in again} == {"lr": 0.01, "mode": False}
    store.set_control(run, "lr", 0.02)
    kept = store.declare_controls(run, [check_spec("lr", "slider", 0.01, min=0, max=0.05)])
    assert {c.spec.name: c.value for c in kept} == {"lr": 0.02, "mode": False}
    store.delete_run(run)
    with pytest.raises(NotFoundError):
        store.list_controls(run)


def test_specs_are_checked() -> None:
    with pytest.raises(InvalidArgumentError, match="give one of button, slider"):
        check_spec("x", "knob")
    with pytest.raises(InvalidArgumentError, match="give min < max"):
        check_spec("x", "slider", min=1, max=1)
    with pytest.raises(InvalidArgumentError, match="only sliders take min and max"):
        check_spec("x", "toggle", min=0)
    with pytest.raises(InvalidArgumentError, match="takes a string"):
        check_spec("x", "text", 3)


def test_more_controls_than_the_limit_are_refused_and_nothing_changes(store: Store) -> None:
    from streamvis.model.limits import MAX_CONTROLS  # noqa: PLC0415

    run = store.create_run().handle
    store.declare_controls(run, [check_spec("c0", "button")])
    too_many = [check_spec(f"c{i}", "button") for i in range(MAX_CONTROLS + 1)]
    with pytest.raises(InvalidArgumentError, match=f"more than {MAX_CONTROLS} controls"):
        store.declare_controls(run, too_many)
    assert [c.spec.name for c in store.list_controls(run)] == ["c0"]
    assert len(store.declare_controls(run, too_many[:MAX_CONTROLS])) == MAX_CONTROLS
