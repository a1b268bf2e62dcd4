"""Run search over a few hundred runs agrees with a plain Python evaluation."""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from collections.abc import Callable

import pytest

from streamvis.model.schema import AttributeCondition, FieldType, Run, RunFilter, Value
from streamvis.store import Store, core

TAGS = [f"t{i}" for i in range(8)]
RUNS = 300


def matches_condition(run: Run, cond: AttributeCondition) -> bool:
    if cond.field not in run.attributes:
        return False
    value = run.attributes[cond.field]
    if isinstance(value, float) and math.isnan(value):
        return False
    if cond.equals is not None:
        return value == cond.equals
    if cond.one_of is not None:
        return value in cond.one_of
    low_ok = cond.min is None or value >= cond.min  # type: ignore[operator]
    high_ok = cond.max is None or value <= cond.max  # type: ignore[operator]
    return low_ok and high_ok


def matches(run: Run, f: RunFilter) -> bool:
    tags = set(run.tags)
    return (
        (f.handles is None or run.handle in f.handles)
        and (not f.tags_any or bool(tags & set(f.tags_any)))
        and set(f.tags_all) <= tags
        and not tags & set(f.tags_none)
        and all(matches_condition(run, c) for c in f.attributes)
        and (f.started_after is None or run.started_at >= f.started_after)
        and (f.started_before is None or run.started_at < f.started_before)
    )


def random_condition(rng: random.Random) -> AttributeCondition:
    kind = rng.choice(["equals", "one_of", "range"])
    choices: list[tuple[str, Callable[[], Value]]] = [
        ("seed", lambda: rng.randrange(10)),
        ("lr", lambda: rng.choice([0.001, 0.01, 0.1, 1.0])),
        ("optimizer", lambda: rng.choice(["adam", "sgd", "lion"])),
        ("good", lambda: rng.random() < 0.5),
    ]
    name, draw = rng.choice(choices)
    if kind == "equals":
        return AttributeCondition(name, equals=draw())
    if kind == "one_of":
        return AttributeCondition(name, one_of=tuple(draw() for _ in range(rng.randrange(1, 4))))
    low, high = sorted([draw(), draw()], key=lambda v: (str(type(v)), v))
    return rng.choice(
        [
            AttributeCondition(name, min=low),
            AttributeCondition(name, max=high),
            AttributeCondition(name, min=low, max=high),
        ]
    )


def random_filter(rng: random.Random, handles: list[uuid.UUID]) -> RunFilter:
    parts: dict[str, object] = {}
    if rng.random() < 0.3:
        parts["tags_any"] = tuple(rng.sample(TAGS, rng.randrange(1, 3)))
    if rng.random() < 0.3:
        parts["tags_all"] = tuple(rng.sample(TAGS, rng.randrange(1, 3)))
    if rng.random() < 0.3:
        parts["tags_none"] = tuple(rng.sample(TAGS, rng.randrange(1, 3)))
    if rng.random() < 0.5:
        parts["attributes"] = tuple(random_condition(rng) for _ in range(rng.randrange(1, 3)))
    if rng.random() < 0.3:
        parts["started_after"] = rng.uniform(0, RUNS)
    if rng.random() < 0.3:
        parts["started_before"] = rng.uniform(0, RUNS)
    if rng.random() < 0.1:
        parts["handles"] = tuple(rng.sample(handles, 20))
    return RunFilter(**parts)  # type: ignore[arg-type]


@pytest.fixture
def runs(store: Store) -> list[Run]:
    store.create_field("seed", FieldType.INT)
    store.create_field("lr", FieldType.FLOAT)
    store.create_field("optimizer", FieldType.STRING)
    store.create_field("good", FieldType.BOOL)
    store.create_field("step", FieldType.INT)
    store.create_series("train", ["step"])
    store.create_series("eval", ["step"])
    rng = random.Random(42)
    made = []
    for _ in range(RUNS):
        attributes: dict[str, Value] = {
            "seed": rng.randrange(10),
            "lr": rng.choice([0.001, 0.01, 0.1, 1.0, math.nan]),
            "optimizer": rng.choice(["adam", "sgd", "lion"]),
            "good": rng.random() < 0.5,
        }
        for name in rng.sample(sorted(attributes), rng.randrange(2)):
            del attributes[name]  # some runs lack some attributes
        made.append(
            store.create_run(
                tags=rng.sample(TAGS, rng.randrange(4)),
                attributes=attributes,
                started_at=float(rng.randrange(RUNS)),  # ties on purpose
            )
        )
    return made


def test_filters_agree_with_reference(
    store: Store, runs: list[Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Larger results load tags and attributes by subquery, smaller ones by id list.
    monkeypatch.setattr(core, "_MAX_ID_PARAMS", 100)
    rng = random.Random(7)
    handles = [r.handle for r in runs]
    by_handle = {r.handle: r for r in runs}
    for _ in range(60):
        f = random_filter(rng, handles)
        expected = [r for r in runs if matches(r, f)]
        got = store.list_runs(f)
        assert sorted(r.handle for r in got) == sorted(r.handle for r in expected), f
        assert [r.started_at for r in got] == sorted((r.started_at for r in got), reverse=True)
        for run in got:
            stored = by_handle[run.handle]
            assert (run.tags, run.started_at) == (stored.tags, stored.started_at)
            assert run.attributes.keys() == stored.attributes.keys()
        assert store.list_started_at(f) == sorted(r.started_at for r in expected)
        tag_counts = Counter(t for r in expected for t in r.tags)
        assert store.list_tags(f) == sorted(tag_counts.items())
        common = set.intersection(*(set(r.attributes) for r in expected)) if expected else set()
        assert [x.name for x in store.list_common_attributes(f)] == sorted(common)
        seeds = Counter(r.attributes["seed"] for r in expected if "seed" in r.attributes)
        assert store.list_attribute_values(f, ["seed"]) == {"seed": sorted(seeds.items())}
        limited = store.list_runs(f, limit=5)
        assert limited == got[:5]


@pytest.mark.parametrize("id_params", [1000, 10])
def test_list_runs_all(
    store: Store, runs: list[Run], monkeypatch: pytest.MonkeyPatch, id_params: int
) -> None:
    monkeypatch.setattr(core, "_MAX_ID_PARAMS", id_params)
    got = store.list_runs(RunFilter())
    assert len(got) == RUNS
    assert {r.handle: r.tags for r in got} == {r.handle: r.tags for r in runs}
    assert {r.handle: sorted(r.attributes) for r in got} == {
        r.handle: sorted(r.attributes) for r in runs
    }
