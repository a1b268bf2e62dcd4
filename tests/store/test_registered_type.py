"""A field type registered at run time is stored like a built-in one, on both backends,
and a database made before the registry (whose fields table listed the four types) takes
it after the upgrade."""

from __future__ import annotations

import uuid

import pyarrow as pa
import pytest

from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError
from streamvis.model.schema import AttributeCondition, FieldType, RunFilter
from streamvis.model.types import TYPES
from streamvis.store import open_store
from streamvis.store.migrations import migrate

from .helpers import raw_session

NOW = 1_764_700_000_000_000_000


def test_a_store_of_before_the_registry_takes_a_registered_type(
    fresh_location: str, timestamp_type: FieldType
) -> None:
    with raw_session(fresh_location) as s:
        assert migrate(s, fresh_location, target=4) == 4
    with open_store(fresh_location) as store:
        when = store.create_field("when", timestamp_type, "time of the event")
        assert when.type is timestamp_type
        store.create_series("events", ["when"])
        run = store.create_run(attributes={"when": NOW})
        assert run.attributes == {"when": NOW}
        store.append(run.handle, "events", {"when": pa.array([NOW, NOW + 1], pa.int64())})
        with pytest.raises(InvalidArgumentError, match="holds double values but field 'when'"):
            store.append(run.handle, "events", {"when": pa.array([1.5])})

        def runs(condition: AttributeCondition) -> list[uuid.UUID]:
            return [r.handle for r in store.list_runs(RunFilter(attributes=(condition,)))]

        assert runs(AttributeCondition("when", min=NOW - 1, max=NOW)) == [run.handle]
        assert runs(AttributeCondition("when", min=NOW + 1)) == []
        chunks = list(store.query(RunFilter(), "events"))
        assert [c.batch.column(0).to_pylist() for c in chunks] == [[NOW, NOW + 1]]
        assert store.list_fields() == [when]


def test_a_field_of_a_type_this_server_lacks_is_a_clear_refusal(
    location: str, timestamp_type: FieldType
) -> None:
    with open_store(location) as store:
        store.create_field("when", timestamp_type)
        row = timestamp_type.row
        TYPES.unregister("timestamp")
        try:
            with pytest.raises(FailedPreconditionError, match="type 'timestamp', which this "
                               "server has not registered"):
                store.list_fields()
        finally:
            TYPES.register(row)  # for the fixture to unregister
