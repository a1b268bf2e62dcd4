"""User strings that look like SQL are stored and matched as data on both stores: every
query binds user values as parameters (docs/security.md), never splices them in."""

from __future__ import annotations

import pyarrow as pa

from streamvis.model.schema import AttributeCondition, FieldType, RunFilter
from streamvis.store.base import Store

PAYLOADS = [
    "'); DROP TABLE runs; --",
    "' OR '1'='1",
    '" OR ""="',
    "x\\'; DELETE FROM fields; --",
    "%_%",
]


def test_sql_payloads_are_plain_data(store: Store) -> None:
    name = PAYLOADS[0]
    store.create_field(name, FieldType.STRING, PAYLOADS[1])
    store.create_series(PAYLOADS[2], [name])
    runs = [store.create_run(tags=[p], attributes={name: p}) for p in PAYLOADS]
    other = store.create_run(tags=["plain"], attributes={name: "plain"})
    for run, payload in zip(runs, PAYLOADS, strict=True):
        store.append(run.handle, PAYLOADS[2], {name: pa.array([payload, payload])})

    assert [f.name for f in store.list_fields()] == [name]
    assert store.list_fields()[0].description == PAYLOADS[1]
    assert len(store.list_runs(RunFilter())) == len(PAYLOADS) + 1
    for run, payload in zip(runs, PAYLOADS, strict=True):
        by_tag = store.list_runs(RunFilter(tags_any=(payload,)))
        assert [r.handle for r in by_tag] == [run.handle], payload
        by_value = store.list_runs(RunFilter(
            attributes=(AttributeCondition(name, equals=payload),)))
        assert [r.handle for r in by_value] == [run.handle], payload
    # LIKE wildcards in a value match only themselves.
    assert other.handle not in [
        r.handle for r in store.list_runs(RunFilter(tags_any=("%_%",)))]
    assert len(store.list_runs(RunFilter(tags_none=tuple(PAYLOADS)))) == 1
