"""Run search latency: `list_runs` and friends over 10,000 runs, on each store.

Prints one JSON line per figure:

    {"figure": "run_search_ms", "store": "sqlite", "filter": "tag", "runs": 10000,
     "matched": 612, "median_ms": ..., "p90_ms": ...}

Each run has 3 tags (of 50) and 4 attributes (int, float, string, bool). SQLite runs
in a temporary directory; PostgreSQL in a scratch database on the server of
STREAMVIS_TEST_PG_DSN (default postgresql://postgres@127.0.0.1:5432/postgres),
created and dropped here, skipped with a note on stderr if none answers.

    .venv/bin/python benchmarks/bench_search.py [--runs 10000] [--store sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from functools import partial

from streamvis.model.schema import AttributeCondition, FieldType, RunFilter, Value
from streamvis.store import Store, open_store
from streamvis.store.core import SqlCore
from streamvis.store.filters import value_params
from streamvis.testing import scratch_store_or_none

TAGS = [f"tag{i:02d}" for i in range(50)]
OPTIMIZERS = ["adam", "adamw", "sgd", "lion", "rmsprop"]
LRS = [10.0**-e for e in range(1, 6)] + [3 * 10.0**-e for e in range(1, 6)]
REPEAT = 15


def populate(store: Store, runs: int) -> None:
    """Declare the fields and add `runs` runs in one transaction.

    The rows go in through the store's own session in bulk: creating 10,000 runs
    one durable transaction at a time would time the disk, not the search.
    """
    fields = {
        "seed": store.create_field("seed", FieldType.INT),
        "lr": store.create_field("lr", FieldType.FLOAT),
        "optimizer": store.create_field("optimizer", FieldType.STRING),
        "good": store.create_field("good", FieldType.BOOL),
    }
    assert isinstance(store, SqlCore)
    rng = random.Random(1)
    with store._write() as s:  # noqa: SLF001 -- bulk load, see above
        ids = {name: int(i) for i, name in s.all("SELECT id, name FROM fields")}
        for i in range(runs):
            run_id = s.scalar(
                "INSERT INTO runs (handle, started_at) VALUES (?, ?) RETURNING id",
                (uuid.uuid4(), 1.7e9 + i * 60.0),
            )
            s.run_many(
                "INSERT INTO run_tags (run_id, tag) VALUES (?, ?)",
                [(run_id, t) for t in rng.sample(TAGS, 3)],
            )
            values: dict[str, Value] = {
                "seed": rng.randrange(100),
                "lr": rng.choice(LRS),
                "optimizer": rng.choice(OPTIMIZERS),
                "good": rng.random() < 0.3,
            }
            s.run_many(
                "INSERT INTO run_attributes (run_id, field_id, v_int, v_float, v_str, v_bool) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, ids[n], *value_params(fields[n].type, v)) for n, v in values.items()],
            )
    if isinstance(store, SqlCore) and store.dialect.name == "postgresql":
        with store._session() as s:  # noqa: SLF001 -- fresh statistics for the planner
            s.run("ANALYZE")


def filters(runs: int) -> dict[str, RunFilter]:
    mid = 1.7e9 + runs * 30.0
    window = runs * 6.0  # a tenth of all runs
    return {
        "none": RunFilter(),
        "tag": RunFilter(tags_all=("tag07",)),
        "tags_any_3": RunFilter(tags_any=("tag01", "tag02", "tag03")),
        "tags_all_2": RunFilter(tags_all=("tag01", "tag02")),
        "tags_none": RunFilter(tags_none=("tag01", "tag02", "tag03")),
        "int_equals": RunFilter(attributes=(AttributeCondition("seed", equals=42),)),
        "float_range": RunFilter(attributes=(AttributeCondition("lr", min=1e-4, max=1e-3),)),
        "string_one_of": RunFilter(
            attributes=(AttributeCondition("optimizer", one_of=("adam", "adamw")),)
        ),
        "bool_equals": RunFilter(attributes=(AttributeCondition("good", equals=True),)),
        "time_window": RunFilter(started_after=mid, started_before=mid + window),
        "combined": RunFilter(
            tags_any=("tag01", "tag02", "tag03", "tag04", "tag05"),
            attributes=(
                AttributeCondition("optimizer", equals="adam"),
                AttributeCondition("seed", max=49),
            ),
            started_after=1.7e9 + runs * 15.0,
        ),
    }


def timed(call: Callable[[], object]) -> tuple[float, float]:
    for _ in range(2):
        call()
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def bench(kind: str, runs: int) -> None:
    with scratch_store_or_none(kind, "bench_search") as where:
        if where is None:
            return
        with open_store(where) as store:
            populate(store, runs)
            for name, f in filters(runs).items():
                figures: list[tuple[str, Callable[[], object], dict[str, object]]] = [
                    ("run_search_ms", partial(store.list_runs, f), {}),
                    ("run_search_ms", partial(store.list_runs, f, limit=100), {"limit": 100}),
                ]
                if name in ("none", "tag", "combined"):
                    figures += [
                        ("list_tags_ms", partial(store.list_tags, f), {}),
                        (
                            "list_attribute_values_ms",
                            partial(store.list_attribute_values, f),
                            {},
                        ),
                        ("list_started_at_ms", partial(store.list_started_at, f), {}),
                    ]
                matched = len(store.list_runs(f))
                for figure, call, extra in figures:
                    median, p90 = timed(call)
                    line = {
                        "figure": figure,
                        "store": kind,
                        "filter": name,
                        "runs": runs,
                        "matched": matched,
                        **extra,
                        "median_ms": round(median, 2),
                        "p90_ms": round(p90, 2),
                    }
                    print(json.dumps(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--store", choices=["sqlite", "postgres"], action="append")
    args = parser.parse_args()
    for kind in args.store or ["sqlite", "postgres"]:
        bench(kind, args.runs)


if __name__ == "__main__":
    main()
