"""The run search page's reads (store/run_search.py) on both backends: every filter,
text, sort and page position gives what a plain Python pass over the runs gives."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections import Counter

import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.schema import AttributeCondition, NewRun, Run, RunFilter
from streamvis.store import Store

RUNS = 240


@pytest.fixture
def made(store: Store, schema: object) -> list[Run]:
    del schema  # the fields the attributes name
    rng = random.Random(5)
    new = []
    for i in range(RUNS):
        attrs: dict[str, object] = {"seed": i % 7, "optimizer": rng.choice(["adam", "sgd", "a_b%"])}
        if i % 5:  # some runs lack lr: they sort last either way
            attrs["lr"] = math.nan if i % 41 == 0 else rng.choice([1e-3, 1e-2, 0.5, 2.0]) * (1 + i)
        if i % 3 == 0:
            attrs["good"] = i % 2 == 0
        tags = [f"t{i % 4}"] + (["Best"] if i % 9 == 0 else [])
        # Ties in started_at: the id breaks them, newest first.
        new.append(NewRun(uuid.uuid4(), tags, attrs, started_at=1000.0 + i // 2))
    return store.create_runs(new)


def _page(store: Store, f: RunFilter, text: str = "", *, sort: str = "started_at",
          desc: bool = True, offset: int = 0, limit: int = 100) -> tuple[int, list[str]]:
    got = store.search_runs_json(f, text, sort=sort, descending=desc, offset=offset, limit=limit)
    assert got.total is not None
    return got.total, [json.loads(t)["handle"] for t in got.runs]


def _newest_first(runs: list[Run]) -> list[Run]:
    # create_runs gives ids in batch order: a later run of equal started_at is newer.
    return [r for _, r in sorted(enumerate(runs), key=lambda p: (p[1].started_at, p[0]),
                                 reverse=True)]


def _lr(r: Run) -> float | None:
    v = r.attributes.get("lr")
    return v if isinstance(v, float) and not math.isnan(v) else None


def _lr_key(r: Run, desc: bool) -> float:
    v = _lr(r)
    assert v is not None
    return -v if desc else v


@pytest.mark.parametrize("desc", [True, False])
def test_pages_at_any_offset_follow_the_sort(store: Store, made: list[Run], desc: bool) -> None:
    order = _newest_first(made)
    for sort, expect in (
        ("started_at", order if desc else order[::-1]),
        ("handle", sorted(made, key=lambda r: str(r.handle), reverse=desc)),
        # Without lr (or NaN): last, in listing order; with: by value, ties newest first.
        ("lr", sorted([r for r in order if _lr(r) is not None], key=lambda r: _lr_key(r, desc))
         + [r for r in order if _lr(r) is None]),
    ):
        wanted = [str(r.handle) for r in expect]
        for offset in (0, 37, RUNS - 5, RUNS + 3):
            total, got = _page(store, RunFilter(), sort=sort, desc=desc, offset=offset, limit=50)
            assert total == RUNS
            assert got == wanted[offset:offset + 50], (sort, offset)


def test_filter_and_text_count_and_list_the_matches(store: Store, made: list[Run]) -> None:
    f = RunFilter(tags_any=("t1", "t2"), attributes=(AttributeCondition("seed", min=2, max=5),))
    expect = [r for r in _newest_first(made) if {"t1", "t2"} & set(r.tags)
              and 2 <= r.attributes["seed"] <= 5]  # type: ignore[operator]
    assert _page(store, f, limit=1000) == (len(expect), [str(r.handle) for r in expect])
    # Text: part of a tag in any case, or a handle's prefix; LIKE's wildcards are literal.
    best = [str(r.handle) for r in _newest_first(made) if "Best" in r.tags]
    assert _page(store, RunFilter(), "bEs", limit=1000) == (len(best), best)
    one = made[17]
    assert _page(store, RunFilter(), str(one.handle)[:6].upper()) == (1, [str(one.handle)])
    assert _page(store, RunFilter(), "%")[0] == 0
    assert _page(store, RunFilter(), "_")[0] == 0


@pytest.mark.parametrize("desc", [True, False])
def test_counts_and_pages_of_memberships_agree_with_a_plain_pass(
    store: Store, made: list[Run], desc: bool,
) -> None:
    """A filter that is only memberships (tags, attribute values, a text naming tags) is
    counted from its sets of ids, and a page of many matches is found by walking the runs
    in started_at order (decision 0048): both give what a plain pass gives, a run in two
    of the sets counted once, at every offset, with few matches and many."""
    seed = AttributeCondition("seed", one_of=(1, 2, 3))
    cases: list[tuple[RunFilter, str, object]] = [
        (RunFilter(tags_any=("t1",)), "", lambda r: "t1" in r.tags),
        (RunFilter(tags_any=("Best", "t1")), "", lambda r: {"Best", "t1"} & set(r.tags)),
        (RunFilter(tags_all=("Best", "t0")), "", lambda r: {"Best", "t0"} <= set(r.tags)),
        (RunFilter(attributes=(seed,)), "", lambda r: r.attributes["seed"] in (1, 2, 3)),
        (RunFilter(tags_any=("t2", "Best"), attributes=(seed,)), "",
         lambda r: {"t2", "Best"} & set(r.tags) and r.attributes["seed"] in (1, 2, 3)),
        (RunFilter(attributes=(AttributeCondition("optimizer", one_of=("adam",)),)), "t3",
         lambda r: r.attributes["optimizer"] == "adam" and "t3" in r.tags),
        (RunFilter(), "t1", lambda r: "t1" in r.tags),
        (RunFilter(), "t", lambda r: any("t" in t for t in r.tags)),
        (RunFilter(tags_none=("t0",)), "", lambda r: "t0" not in r.tags),
        (RunFilter(tags_any=("t1",), started_after=1050.0), "",
         lambda r: "t1" in r.tags and r.started_at >= 1050.0),
    ]
    order = _newest_first(made) if desc else _newest_first(made)[::-1]
    for f, text, keep in cases:
        wanted = [str(r.handle) for r in order if keep(r)]  # type: ignore[operator]
        assert wanted, f
        for offset, limit in ((0, 10), (0, 100), (7, 10), (len(wanted) - 3, 10),
                              (len(wanted), 10)):
            got = _page(store, f, text, desc=desc, offset=offset, limit=limit)
            assert got == (len(wanted), wanted[offset:offset + limit]), (f, text, offset)


def test_text_matches_as_a_plain_pass_does(store: Store, made: list[Run]) -> None:
    """A handle's prefix is sought in its index only where the text can begin a handle;
    either way the matches are those a plain pass over the runs finds."""
    rng = random.Random(7)
    texts = ["t", "T1", "es", "b", "0", "-", "zz", "a_b", " Best ", str(made[3].handle)]
    for run in rng.sample(made, 12):
        handle = str(run.handle)
        cut = rng.randrange(1, len(handle) + 1)
        texts += [handle[:cut], handle[:cut].upper(), handle[:cut].replace("-", "")]
    texts += [str(made[5].handle)[:9] + "g", str(made[5].handle) + "0"]
    for text in texts:
        want = text.strip().lower()
        expect = [str(r.handle) for r in _newest_first(made)
                  if str(r.handle).startswith(want) or any(want in t.lower() for t in r.tags)]
        assert _page(store, RunFilter(), text, limit=1000) == (len(expect), expect), text
        facets = store.run_facets(RunFilter(), text, values=False)
        assert sum(n for _, n in facets.tags) == sum(
            len(r.tags) for r in made if str(r.handle) in set(expect)), text


def test_facets_count_what_each_choice_would_give(store: Store, made: list[Run]) -> None:
    f = RunFilter(tags_none=("t0",),
                  attributes=(AttributeCondition("optimizer", one_of=("adam",)),))
    facets = store.run_facets(f, "t")
    passing = [r for r in made if "t0" not in r.tags and r.attributes["optimizer"] == "adam"]
    assert dict(facets.tags) == dict(Counter(t for r in passing for t in r.tags))
    # A field's counts leave out its own condition: checking "sgd" would add these.
    others = [r for r in made if "t0" not in r.tags]
    assert dict(facets.counts["optimizer"] or []) == dict(
        Counter(r.attributes["optimizer"] for r in others))
    assert dict(facets.counts["good"] or []) == dict(
        Counter(r.attributes["good"] for r in passing if "good" in r.attributes))
    lrs = sorted({v for r in made if (v := _lr(r)) is not None})
    assert facets.values["lr"] == lrs
    assert facets.values["seed"] == list(range(7))
    assert "optimizer" not in facets.values
    assert store.run_facets(f, values=False).values == {}


@pytest.mark.usefixtures("made")
def test_bad_sort_or_position_is_refused(store: Store) -> None:
    with pytest.raises(NotFoundError, match="cannot sort runs by 'nope'"):
        store.search_runs_json(RunFilter(), sort="nope")
    with pytest.raises(InvalidArgumentError, match="offset"):
        store.search_runs_json(RunFilter(), offset=-1)
    with pytest.raises(InvalidArgumentError, match="MAX_RUNS_PER_PAGE"):
        store.search_runs_json(RunFilter(), limit=10**6)
