"""CreateFields, and a declaration's new fields created in one request, through a real
server on both stores."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from streamvis.client import Client
from streamvis.declare import apply_declaration, parse_declaration
from streamvis.model.errors import AlreadyExistsError, InvalidArgumentError, UnimplementedError
from streamvis.model.limits import MAX_FIELDS_PER_CREATE
from streamvis.model.schema import FieldType, NewField
from streamvis.v1 import service_pb2 as pb


class Counting:
    """Wraps a stub method: the number of fields in each request it sent."""

    def __init__(self, rpc: Any) -> None:
        self.rpc, self.sizes = rpc, list[int]()

    def __call__(self, request: Any, **kwargs: Any) -> Any:
        self.sizes.append(len(getattr(request, "fields", ())))
        return self.rpc(request, **kwargs)


def test_create_fields_round_trip_in_batches(
    client: Client, unique, monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr("streamvis.client.MAX_FIELDS_PER_CREATE", 2)
    sent = Counting(client.stub.CreateFields)
    monkeypatch.setattr(client.stub, "CreateFields", sent)
    names = [unique("f") for _ in range(5)]
    made = client.create_fields([
        NewField(names[0], "int", "steps"), NewField(names[1], FieldType.FLOAT),
        NewField(names[2], "string", options={"format": "markdown"}),
        NewField(names[3], "bool"), NewField(names[4], "image"),
    ])
    assert sent.sizes == [2, 2, 1]
    assert [(f.name, f.type.value) for f in made] == list(zip(
        names, ["int", "float", "string", "bool", "image"], strict=True))
    assert made[0].description == "steps" and made[2].options.format == "markdown"
    listed = {f.name: f for f in client.fields()}
    assert [listed[n] for n in names] == made


def test_a_bad_field_batch_creates_nothing(client: Client, unique):
    taken, fresh = unique("taken"), unique("fresh")
    client.create_field(taken, "int")
    before = client.fields()
    with pytest.raises(AlreadyExistsError, match=f"{taken}.*with type int, not float"):
        client.create_fields([NewField(fresh, "int"), NewField(taken, "float")])
    with pytest.raises(InvalidArgumentError, match="more than once"):
        client.create_fields([NewField(fresh, "int"), NewField(fresh, "int")])
    assert client.fields() == before
    too_many = pb.CreateFieldsRequest(fields=[
        pb.CreateFieldRequest(name=f"{fresh}_{i}", type_name="int")
        for i in range(MAX_FIELDS_PER_CREATE + 1)])
    with pytest.raises(grpc.RpcError) as refused:
        client.stub.CreateFields(too_many, timeout=30)
    assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "MAX_FIELDS_PER_CREATE" in (refused.value.details() or "")
    assert client.fields() == before


def _declaration(names: list[str]) -> Any:
    return parse_declaration({"fields": dict.fromkeys(names, "float")})


def test_a_declaration_creates_its_new_fields_in_one_request(
    client: Client, unique, monkeypatch: pytest.MonkeyPatch,
):
    old = unique("old")
    client.create_field(old, "float")
    new = [unique("new") for _ in range(12)]
    sent = Counting(client.stub.CreateFields)
    monkeypatch.setattr(client.stub, "CreateFields", sent)
    listed = Counting(client.stub.ListSeries)
    monkeypatch.setattr(client.stub, "ListSeries", listed)
    report = apply_declaration(client, _declaration([old, *new]))
    assert sent.sizes == [12]
    assert listed.sizes == []  # fields alone: the series are not asked for
    assert report.created == [f"field {n} (float)" for n in new]
    assert report.unchanged == [f"field {old}"]


def test_a_declaration_whose_field_another_client_just_made_takes_it(
    client: Client, unique, monkeypatch: pytest.MonkeyPatch,
):
    """A batch that finds a name taken since the listing creates nothing; its fields are
    then created one at a time, each taking the agreeing field the other client made."""
    names = [unique("race") for _ in range(3)]
    batch = client.create_fields

    def racing(fields: list[NewField]) -> Any:
        client.create_field(names[1], "float")  # another logger, at the same moment
        return batch(fields)

    monkeypatch.setattr(client, "create_fields", racing)
    report = apply_declaration(client, _declaration(names))
    assert report.created == [f"field {names[0]} (float)", f"field {names[2]} (float)"]
    assert report.unchanged == [f"field {names[1]}"]
    assert {f.name: f.type for f in client.fields()}.keys() >= set(names)


def test_a_declaration_to_a_server_without_create_fields_creates_one_at_a_time(
    client: Client, unique, monkeypatch: pytest.MonkeyPatch,
):
    def older_server(_fields: list[NewField]) -> Any:
        raise UnimplementedError("method CreateFields not implemented")

    monkeypatch.setattr(client, "create_fields", older_server)
    names = [unique("old_server") for _ in range(3)]
    report = apply_declaration(client, _declaration(names))
    assert report.created == [f"field {n} (float)" for n in names]
    assert {f.name for f in client.fields()} >= set(names)
