"""PostgreSQL away and back, through a TCP proxy cut between the server and it: calls
fail fast with UNAVAILABLE while it is away (not after the pool's 30 s wait) and succeed
again within about a second of its return. The bounds are generous (a loaded 2-core
machine); what they catch is a 30 s hang or a backoff of many seconds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import grpc
import httpx
import pytest
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb

from .tcp_proxy import TcpProxy, tcp_proxy

pytestmark = pytest.mark.postgres

#: Seconds a call may take to fail while the database is away (the ask: about 1).
FAIL_WITHIN_S = 5.0
#: Seconds after the database is back by which calls succeed again (the ask: about 1).
RECOVER_WITHIN_S = 5.0


def _through(dsn: str, port: int) -> str:
    parts = urlsplit(dsn)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


@pytest.fixture
def proxied(pg_dsn: str) -> Iterator[tuple[TcpProxy, ServerProcess]]:
    parts = urlsplit(pg_dsn)
    with tcp_proxy((parts.hostname or "127.0.0.1", parts.port or 5432)) as proxy, \
            ServerProcess(_through(pg_dsn, proxy.port)) as server:
        yield proxy, server


def _list_fields(client: Client) -> tuple[grpc.StatusCode, str, float]:
    """The status and details of one ListFields call, and how long it took."""
    start = time.monotonic()
    try:
        client.stub.ListFields(pb.ListFieldsRequest(), timeout=60)
    except grpc.RpcError as exc:
        return exc.code(), exc.details() or "", time.monotonic() - start
    return grpc.StatusCode.OK, "", time.monotonic() - start


def test_calls_fail_fast_while_postgres_is_away_and_recover_when_it_is_back(proxied):
    proxy, server = proxied
    with Client(server.uri, timeout=60) as client, \
            httpx.Client(base_url=server.web_url, timeout=60) as http:
        client.create_field("before", "int")
        for _ in range(3):  # a few connections in the pool, all about to break
            assert http.get("/api/runs").status_code == 200

        proxy.cut()
        for _ in range(3):  # each call: the broken pool, then no database at all
            code, details, took = _list_fields(client)
            assert code == grpc.StatusCode.UNAVAILABLE, (code, details)
            assert "PostgreSQL" in details and took < FAIL_WITHIN_S, (details, took)
        start = time.monotonic()
        response = http.get("/api/runs")
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "UNAVAILABLE"
        assert time.monotonic() - start < FAIL_WITHIN_S
        with pytest.raises(grpc.RpcError) as refused:
            client.stub.CreateField(pb.CreateFieldRequest(name="during", type=pb.FIELD_TYPE_INT),
                                    timeout=60)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE

        proxy.restore()
        back = time.monotonic()
        while (code := _list_fields(client)[0]) != grpc.StatusCode.OK:
            assert code == grpc.StatusCode.UNAVAILABLE, code
            assert time.monotonic() - back < RECOVER_WITHIN_S, "still failing"
            time.sleep(0.05)
        for _ in range(5):  # every later call too, over both ways in
            assert _list_fields(client)[0] == grpc.StatusCode.OK
            assert http.get("/api/runs").status_code == 200
        assert {f.name for f in client.fields()} == {"before"}
        client.create_field("after", "int")
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]


def test_a_database_host_that_stops_answering_fails_calls_in_seconds(proxied):
    # Packets dropped rather than refused: a new connection waits out the connect
    # timeout (2 s), not the 30 s a request may wait for a busy pool.
    proxy, server = proxied
    with Client(server.uri, timeout=60) as client:
        client.create_field("before", "int")
        proxy.cut(silent=True)
        code, details, took = _list_fields(client)
        assert code == grpc.StatusCode.UNAVAILABLE, (code, details)
        assert "PostgreSQL" in details and took < 2 * FAIL_WITHIN_S, (details, took)
        proxy.restore()
        back = time.monotonic()
        while _list_fields(client)[0] != grpc.StatusCode.OK:
            assert time.monotonic() - back < RECOVER_WITHIN_S, "still failing"
            time.sleep(0.05)


#: Seconds the database stays away in the relay test, and by when after its return the
#: relay hears other replicas again (the ask: about 1 s). The relay's old backoff
#: (0.5, 1, 2, then 5 s) tried at 8.5 s and would next try at 13.5 s: 4.5 s late.
AWAY_S = 9.0
RELAY_WITHIN_S = 3.5


def test_the_relay_hears_other_replicas_again_soon_after_postgres_is_back(proxied, pg_dsn):
    proxy, server = proxied  # the replica whose database connection is cut
    with ServerProcess(pg_dsn) as other, Client(other.uri, timeout=60) as writer, \
            connect(server.web_url.replace("http://", "ws://") + "api/events",
                    open_timeout=10) as ws:
        writer.create_run(tags=["warm"])
        assert json.loads(ws.recv(timeout=10))["type"] == "run_created"
        proxy.cut()
        time.sleep(AWAY_S)
        proxy.restore()
        back = time.monotonic()
        heard = None
        while heard is None:
            assert time.monotonic() - back < RELAY_WITHIN_S, "the relay is still away"
            writer.create_run(tags=["after"])  # lost while the relay reconnects
            try:
                heard = json.loads(ws.recv(timeout=0.25))
            except TimeoutError:
                continue
        assert heard["type"] == "run_created" and heard["run"]["tags"] == ["after"], heard
